import { waitFor } from "../helpers/index.ts";

/** How one request of a load ended: `ok`, an error code, a connection error, or no answer. */
export const Outcome = {
  ok: "ok",
  /** The connection was refused: the request never reached anybody. */
  refused: "ECONNREFUSED",
  /** Sent, and no answer came (connection cut, or the client's own timeout). */
  noAnswer: "NO_ANSWER",
} as const;

/** One request of a load. */
export interface Attempt {
  client: number;
  /** Epoch ms when it left and when it ended. */
  start: number;
  end: number;
  /** `ok`, an error code (`NO_LIVE_INSTANCE`, `DEADLINE_EXCEEDED`, …), `ECONNREFUSED` or `NO_ANSWER`. */
  outcome: string;
}

export interface LoadOptions {
  clients: number;
  /** The most requests one client sends. */
  maxPerClient: number;
  /** The longest a client keeps sending, ms. */
  maxMs: number;
  /** Sends one request and says how it ended (never throws). */
  send(client: number, seq: number): Promise<string>;
  /** The pause after a request that ended so, before the next (keeps the load steady); default 10 ms. */
  pauseMs?(outcome: string): number;
}

export interface Load {
  readonly attempts: readonly Attempt[];
  /** Requests sent and not yet ended. */
  inflight(): number;
  /** Requests that left at or after `since` and succeeded. */
  okSince(since: number): number;
  /** Stops every client after its request in flight; resolves with all attempts. */
  stop(): Promise<Attempt[]>;
  /** Resolves when every client stopped, by its bounds or by `stop()`. */
  done: Promise<Attempt[]>;
}

/**
 * Waits for a moment with requests of `load` in flight and runs `fault` in that same turn of
 * the event loop, so the fault always meets work under way (with a 10 ms pause between
 * requests, a kill at a random moment sometimes met none).
 */
export async function faultUnderLoad(load: Load, fault: () => void): Promise<{ faultAt: number; inflightAtFault: number }> {
  return waitFor("a request of the load in flight", () => {
    const inflightAtFault = load.inflight();
    if (inflightAtFault === 0) return undefined;
    const faultAt = Date.now();
    fault();
    return { faultAt, inflightAtFault };
  }, 10_000, 1);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A steady, bounded load: `clients` loops, each sending one request at a time with a short
 * pause, until it has sent `maxPerClient` requests, `maxMs` have passed, or `stop()` is called.
 * Every loop ends by itself.
 */
export function startLoad(options: LoadOptions): Load {
  const attempts: Attempt[] = [];
  const until = Date.now() + options.maxMs;
  let stopped = false;
  let inflight = 0;
  const pause = options.pauseMs ?? (() => 10);
  const client = async (c: number) => {
    for (let seq = 0; seq < options.maxPerClient && !stopped && Date.now() < until; seq++) {
      const start = Date.now();
      inflight++;
      const outcome = await options.send(c, seq);
      inflight--;
      attempts.push({ client: c, start, end: Date.now(), outcome });
      // Pacing of the load, not synchronisation: no result depends on this pause.
      await sleep(pause(outcome));
    }
  };
  const done = Promise.all(Array.from({ length: options.clients }, (_, c) => client(c))).then(() => attempts);
  return {
    attempts,
    inflight: () => inflight,
    okSince: (since) => attempts.filter((a) => a.outcome === Outcome.ok && a.start >= since).length,
    stop: () => {
      stopped = true;
      return done;
    },
    done,
  };
}
