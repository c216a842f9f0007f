import { ErrorCode } from "../../protocol/index.ts";
import { FuseError, UnavailableError } from "../../errors/index.ts";
import type { RelayOptions, RelayReply } from "../../sdk/internal.ts";
import type { EndpointEntry } from "../routes/route-table.ts";

export type Relay = (target: string, body: Uint8Array | string, options: RelayOptions) => Promise<RelayReply>;
type GapRelayOptions = RelayOptions & { deadline: number };

// As many attempts, and as far apart, as the relay's own for NO_LIVE_INSTANCE: a gap lasts as
// long as a new instance takes to subscribe after it reported ready.
const GAP_RETRIES = 3;
const GAP_BACKOFF_MS = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a relay found nobody on the endpoint's subject while some instance of the actor answers pings. */
function isGap(error: unknown): error is FuseError {
  // A relay rejects only when no reply came, so this is the bus's verdict, never an actor's reply.
  return error instanceof FuseError && error.code === ErrorCode.ENDPOINT_NOT_FOUND;
}

/**
 * Relays to an endpoint the route table knows, that is, one served recently. The bus calls a
 * request ENDPOINT_NOT_FOUND when nothing listens on the endpoint's subject but an instance of
 * the actor answers a ping: during a rolling restart that is the new instance before its
 * subscriptions reach the server, or the old one leaving. For a known endpoint that is a gap,
 * not a departure: the request is sent again (nobody received it), and if the gap outlasts
 * the attempts or the deadline the answer is NO_LIVE_INSTANCE (503, retryable), never a 404.
 */
export function relayThroughGaps(relay: Relay, entry: EndpointEntry, body: Uint8Array | string, options: GapRelayOptions): Promise<RelayReply> {
  // The retries live on the failure path: a request that is answered costs one promise more.
  return relay(entry.target, body, options).catch((error: unknown) => retryGap(relay, entry, body, options, error));
}

async function retryGap(relay: Relay, entry: EndpointEntry, body: Uint8Array | string, options: GapRelayOptions, first: unknown): Promise<RelayReply> {
  let error = first;
  let backoff = GAP_BACKOFF_MS;
  for (let attempt = 1; isGap(error); attempt++) {
    if (attempt > GAP_RETRIES || options.deadline - Date.now() <= backoff) {
      throw new UnavailableError(`no instance of actor "${entry.actor}" serves endpoint "${entry.endpoint}" right now, as while a restart swaps instances; retry shortly`, {
        actor: entry.actor,
        cause: error,
      });
    }
    await sleep(backoff);
    backoff *= 2;
    try {
      return await relay(entry.target, body, options);
    } catch (next) {
      error = next;
    }
  }
  throw error;
}
