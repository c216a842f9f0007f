import { FuseError } from "../errors/index.ts";
import { ErrorCode } from "../protocol/index.ts";
import { RequestContext, type ActorContext } from "./context.ts";
import type { LostInstance } from "./instance-lost.ts";

/**
 * Calls `lost` for each instance of `ctx`'s hub that the hub reports dead (`$FUSE.instance.lost`),
 * for callers that act on a death at once, as the gateway re-sending the requests it relayed to
 * that actor. Kept off the public ActorContext. Returns the unsubscribe.
 * @throws INTERNAL for a context the SDK did not make.
 */
export function onInstanceLost(ctx: ActorContext, lost: (instance: LostInstance) => void): () => void {
  if (!(ctx instanceof RequestContext)) throw new FuseError(ErrorCode.INTERNAL, "onInstanceLost needs a context made by the SDK");
  return ctx.followInstanceLost(lost);
}
