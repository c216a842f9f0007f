import { ConfigError } from "../../errors/index.ts";
import { checkBulkhead } from "./bulkhead.ts";

/** The guard options of an endpoint, as `defineEndpoint` takes them. */
export interface EndpointGuardOptions {
  idempotent?: { ttl: number };
  concurrency?: number;
  queue?: number;
}

/** Checks an endpoint's `idempotent`, `concurrency` and `queue` at definition. */
export function checkEndpointGuards(where: string, endpoint: EndpointGuardOptions): void {
  checkBulkhead(where, endpoint.concurrency, endpoint.queue);
  const idempotent: unknown = endpoint.idempotent;
  if (idempotent === undefined) return;
  const ttl = (idempotent as { ttl?: unknown } | null)?.ttl;
  if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl < 1_000) {
    throw new ConfigError(`${where}: idempotent must be { ttl } with ttl in ms, at least 1000, got ${JSON.stringify(idempotent)}`);
  }
}
