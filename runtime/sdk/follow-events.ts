import type { EventFollow, EventFollowSpec } from "../bus/index.ts";
import { FuseError } from "../errors/index.ts";
import { ErrorCode } from "../protocol/index.ts";
import { RequestContext, type ActorContext } from "./context.ts";

/**
 * Follows a topic's stored events in stream order on `ctx`'s bus and prefix, from after
 * `afterSeq` or from now, without a durable subscription: for live views such as the gateway's
 * `/events/<topic>`. Kept off the public ActorContext: actors handle events with `events:`.
 * @throws INTERNAL for a context the SDK did not make; NOT_FOUND without the hub's event stream.
 */
export function followEvents(ctx: ActorContext, spec: Omit<EventFollowSpec, "prefix">): Promise<EventFollow> {
  if (!(ctx instanceof RequestContext)) throw new FuseError(ErrorCode.INTERNAL, "followEvents needs a context made by the SDK");
  return ctx.followEvents(spec);
}
