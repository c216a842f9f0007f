import { NotFoundError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import type { EndpointEntry } from "../routes/route-actors.ts";

/**
 * `POST /api/<actor>/<key>/<endpoint>` on an actor that is not keyed: there is no such route
 * (a 404 at once, rather than waiting for a partition owner that will never come).
 */
export function notKeyedRoute(entry: EndpointEntry): NotFoundError {
  return new NotFoundError(
    ErrorCode.ENDPOINT_NOT_FOUND,
    `actor "${entry.actor}" is not keyed: there is no POST /api/${entry.actor}/<key>/${entry.endpoint}; call POST /api/${entry.actor}/${entry.endpoint}`,
    { details: { actor: entry.actor, endpoint: entry.endpoint, keyed: false } },
  );
}
