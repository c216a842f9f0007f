import { ConfigError } from "../../errors/index.ts";

/**
 * How a hub keeps its events and how its subscribers retry them: the `events` section of the
 * config, with its defaults, shared by the NATS and in-process back-ends.
 */
export interface EventSettings {
  /** Events older than this are dropped from the stream, handled or not. */
  maxAgeMs: number;
  /** The stream keeps at most this many bytes, dropping the oldest events. */
  maxBytes: number;
  /** Deliveries of one event to one actor before it goes to the dead letters. */
  maxDeliver: number;
  /** Delay before the 2nd, 3rd, … delivery after a handler failed; the last one repeats. */
  backoffMs: number[];
  /** A handler's time to acknowledge: a delivery unanswered this long (a crash) is made again. */
  ackWaitMs: number;
}

export const DEFAULT_EVENT_SETTINGS: Readonly<EventSettings> = Object.freeze({
  maxAgeMs: 7 * 24 * 3600_000,
  maxBytes: 1024 ** 3,
  maxDeliver: 5,
  backoffMs: [1000, 5000, 30_000],
  ackWaitMs: 30_000,
});

/** The settings with defaults for whatever `partial` leaves out. */
export function eventSettings(partial: Partial<EventSettings> = {}): EventSettings {
  const out = { ...DEFAULT_EVENT_SETTINGS };
  for (const [key, value] of Object.entries(partial)) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}

/**
 * What to do after delivery `attempt` (1-based) of an event failed: retry after a delay, or
 * give it up to the dead letters (attempts used up, or an event that no retry can fix).
 */
export function afterFailure(attempt: number, settings: EventSettings, hopeless = false): { retryInMs: number } | { dead: true } {
  if (hopeless || attempt >= settings.maxDeliver) return { dead: true };
  const delays = settings.backoffMs.length ? settings.backoffMs : [0];
  return { retryInMs: delays[Math.min(attempt - 1, delays.length - 1)]! };
}

/**
 * The settings the hub hands an actor process as JSON (`FUSE_EVENTS`); undefined without any.
 * @throws CONFIG_INVALID when the text is not a JSON object of such settings.
 */
export function parseEventSettings(text: string | undefined): Partial<EventSettings> | undefined {
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`event settings: not JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null) throw new ConfigError("event settings: expected a JSON object");
  const out: Partial<EventSettings> = {};
  for (const key of ["maxAgeMs", "maxBytes", "maxDeliver", "ackWaitMs"] as const) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new ConfigError(`event settings: ${key} must be a number of at least 0, got ${JSON.stringify(v)}`);
    out[key] = v;
  }
  const backoff = (value as Record<string, unknown>).backoffMs;
  if (backoff !== undefined) {
    if (!Array.isArray(backoff) || !backoff.every((n) => typeof n === "number" && n >= 0)) throw new ConfigError(`event settings: backoffMs must be a list of ms, got ${JSON.stringify(backoff)}`);
    out.backoffMs = backoff as number[];
  }
  return out;
}
