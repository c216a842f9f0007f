import { ErrorCode } from "../../protocol/index.ts";
import { FuseError } from "../../errors/index.ts";
import type { RelayOptions, RelayReply } from "../../sdk/internal.ts";
import type { EndpointEntry } from "../routes/route-table.ts";
import type { LossWatch } from "./loss-watch.ts";

/**
 * The gateway's `ctx.relay`. It already sends again, within the deadline, a request that
 * reached nobody (NO_LIVE_INSTANCE: no instance, or one that declares the endpoint but is not
 * subscribed to it yet, as while a rolling restart swaps instances).
 */
export type Relay = (target: string, body: Uint8Array | string, options: RelayOptions) => Promise<RelayReply>;
type LossRelayOptions = RelayOptions & { deadline: number };

/** What makes a request safe to send again: its HTTP method, and whether it carries an idempotency key. */
export interface RetrySafety {
  method: string;
  idempotencyKey: boolean;
}

const isRead = (method: string) => method === "GET" || method === "HEAD";

/**
 * Relays a request, and once more when the instance that took it may have died before
 * replying, if the request is safe to repeat. Two signals, one repeat at most:
 * - OUTCOME_UNKNOWN (with `bus.receipts`: the request's own holder was reported lost): a GET
 *   or HEAD, or a request carrying an idempotency key, is sent again;
 * - a death notice for the actor (`losses`, any `bus.receipts`): the gateway does not know
 *   which instance holds the request, so it is sent again only if a repeat cannot run it
 *   twice: a GET or HEAD, or a key to an endpoint that stores its replies by key. A repeat
 *   that reaches a live instance still running the first joins its claim and gets its reply;
 *   one whose first run died with its instance takes the claim over.
 * The first reply of either send answers; when both fail, the last error does. A request
 * that is not safe keeps its OUTCOME_UNKNOWN, since it may have run.
 */
export function relayRetryingLoss(relay: Relay, entry: EndpointEntry, body: Uint8Array | string, options: LossRelayOptions, safety: RetrySafety, losses?: LossWatch): Promise<RelayReply> {
  const afterUnknown = safety.idempotencyKey || isRead(safety.method);
  const afterNotice = isRead(safety.method) || (safety.idempotencyKey && entry.idempotent === true);
  const send = () => relay(entry.target, body, options);
  if (!afterUnknown) return send();
  return new Promise<RelayReply>((resolve, reject) => {
    let sends = 0;
    let retried = false;
    let done = false;
    const release = afterNotice && losses ? losses.hold(entry.actor, () => retry()) : () => undefined;
    const answer = (reply: RelayReply) => {
      if (done) return;
      done = true;
      release();
      resolve(reply);
    };
    const failed = (error: unknown, repeat: boolean) => {
      if (done) return;
      sends--;
      // The first send's unknown outcome is answered by its repeat, when one may still go.
      if (!repeat && !retried && isUnknown(error) && retry()) return;
      if (sends > 0) return;
      done = true;
      release();
      reject(error);
    };
    const start = (repeat: boolean) => {
      sends++;
      send().then(answer, (error: unknown) => failed(error, repeat));
    };
    function retry(): boolean {
      if (done || retried || options.deadline <= Date.now()) return false;
      retried = true;
      release();
      start(true);
      return true;
    }
    start(false);
  });
}

function isUnknown(error: unknown): boolean {
  return error instanceof FuseError && error.code === ErrorCode.OUTCOME_UNKNOWN;
}
