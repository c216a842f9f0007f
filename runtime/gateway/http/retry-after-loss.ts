import { ErrorCode } from "../../protocol/index.ts";
import { FuseError } from "../../errors/index.ts";
import type { RelayReply } from "../../sdk/internal.ts";
import type { EndpointEntry } from "../routes/route-table.ts";
import { relayThroughGaps, type Relay } from "./relay-through-gaps.ts";

type LossRelayOptions = Parameters<typeof relayThroughGaps>[3];

/**
 * Relays a request, and once more when the instance that took it died before replying
 * (OUTCOME_UNKNOWN: its receipt's holder was reported lost, with `bus.receipts`) and the
 * request is safe to repeat: a GET, or one carrying an idempotency key, whose endpoint then
 * returns the first run's reply or finishes the run the dead instance had claimed. The queue
 * group sends the repeat to a live instance; a request that is not safe keeps its
 * OUTCOME_UNKNOWN, since it may have run.
 */
export function relayRetryingLoss(relay: Relay, entry: EndpointEntry, body: Uint8Array | string, options: LossRelayOptions, safe: boolean): Promise<RelayReply> {
  const first = relayThroughGaps(relay, entry, body, options);
  if (!safe) return first;
  return first.catch((error: unknown) => {
    if (!(error instanceof FuseError) || error.code !== ErrorCode.OUTCOME_UNKNOWN || options.deadline <= Date.now()) throw error;
    return relayThroughGaps(relay, entry, body, options);
  });
}
