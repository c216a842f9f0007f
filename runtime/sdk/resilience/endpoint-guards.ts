import type { Transport } from "../../bus/index.ts";
import type { Logger } from "../../log/index.ts";
import { EndpointMeta, idempotentRepliesBucket } from "../../protocol/index.ts";
import type { ActorContext } from "../context.ts";
import type { AnyActor, AnyEndpoint } from "../define-actor.ts";
import { Bulkhead } from "./bulkhead.ts";
import { IdempotentReplies } from "./idempotent-replies.ts";

/** The longest `idempotent.ttl` of an actor's endpoints, or undefined when none stores replies. */
export function longestReplyTtl(endpoints: Record<string, AnyEndpoint>): number | undefined {
  const ttls = Object.values(endpoints).flatMap((e) => (e.idempotent ? [e.idempotent.ttl] : []));
  return ttls.length ? Math.max(...ttls) : undefined;
}

/** What an endpoint's guards counted, reported in its `$SRV.STATS` beside the runner's figures. */
export interface GuardStats {
  bulkhead?: ReturnType<Bulkhead["toJSON"]>;
}

export interface GuardedEndpoint {
  endpoint: AnyEndpoint;
  stats(): GuardStats;
}

/**
 * The endpoint with its handler inside its guards: the bulkhead first (a refused request
 * costs nothing more), then the stored replies of an idempotent endpoint. Both act once the
 * runner has checked the deadline, the principal and the input, so a stored reply is never
 * handed to a caller the endpoint would refuse. An endpoint with neither is returned as it is.
 */
export function guardEndpoint(name: string, endpoint: AnyEndpoint, where: string, replies: IdempotentReplies | undefined): GuardedEndpoint {
  const bulkhead = endpoint.concurrency ? new Bulkhead(where, endpoint.concurrency, endpoint.queue ?? 0) : undefined;
  const ttl = endpoint.idempotent?.ttl;
  if (!bulkhead && !(ttl && replies)) return { endpoint, stats: () => ({}) };
  const original = endpoint.handler;
  const stored = (input: unknown, ctx: ActorContext) => {
    if (!ttl || !replies || ctx.idempotencyKey === undefined) return original(input, ctx);
    return replies.run(
      { endpoint: name, ttlMs: ttl, key: ctx.idempotencyKey, scope: ctx.principal?.id, input, deadline: ctx.deadline, traceId: ctx.traceId },
      () => original(input, ctx),
    );
  };
  // A refusal is logged by the runner, at warn, with the bulkhead's figures in its reason.
  const handler = bulkhead ? (input: unknown, ctx: ActorContext) => bulkhead.run(() => stored(input, ctx)) : stored;
  return { endpoint: { ...endpoint, handler }, stats: () => (bulkhead ? { bulkhead: bulkhead.toJSON() } : {}) };
}

export interface ActorGuardsOptions {
  transport: Transport;
  prefix: string;
  log: Logger;
}

/**
 * The guards of every endpoint of an actor instance, and the replies bucket they share (one
 * per actor, opened on the first request that carries a key).
 */
export class ActorGuards {
  private serviceId = "";
  private readonly guarded = new Map<string, GuardedEndpoint>();

  constructor(definition: AnyActor, options: ActorGuardsOptions) {
    const ttl = longestReplyTtl(definition.endpoints);
    const replies = ttl
      ? new IdempotentReplies({
          transport: options.transport,
          bucket: idempotentRepliesBucket(options.prefix, definition.name),
          actor: definition.name,
          bucketTtlMs: ttl,
          owner: () => this.serviceId,
          log: options.log,
        })
      : undefined;
    for (const [name, endpoint] of Object.entries(definition.endpoints)) {
      this.guarded.set(name, guardEndpoint(name, endpoint, `${definition.name}.${name}`, replies));
    }
  }

  /** The endpoint as the runner serves it: its handler inside its guards. */
  endpoint(name: string): AnyEndpoint {
    return this.guarded.get(name)!.endpoint;
  }

  stats(name: string): GuardStats {
    return this.guarded.get(name)?.stats() ?? {};
  }

  /** This instance's service id, which its claims on idempotency keys name. */
  servedAs(serviceId: string): void {
    this.serviceId = serviceId;
  }
}

/** The `$SRV.INFO` metadata of an endpoint's guards. */
export function guardMetadata(endpoint: AnyEndpoint): Record<string, string> {
  const meta: Record<string, string> = {};
  if (endpoint.idempotent) meta[EndpointMeta.idempotent] = String(endpoint.idempotent.ttl);
  if (endpoint.concurrency) meta[EndpointMeta.bulkhead] = JSON.stringify({ concurrency: endpoint.concurrency, queue: endpoint.queue ?? 0 });
  return meta;
}
