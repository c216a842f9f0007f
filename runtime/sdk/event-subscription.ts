import { ConfigError } from "../errors/index.ts";
import type { EventStart } from "../bus/index.ts";
import type { ActorContext } from "./context.ts";

export type EventHandler = (payload: unknown, ctx: ActorContext) => Promise<void> | void;

/**
 * An event subscription with options, for `events: { "order.placed": { handler, from: "all" } }`.
 * The plain form `events: { "order.placed": handler }` is the same with the defaults.
 */
export interface EventSubscription {
  handler: EventHandler;
  /**
   * Where the actor's subscription starts the first time it is made: `"new"` (default) takes
   * events stored from then on, `"all"` every event the stream still keeps, a `Date` those
   * stored since. Afterwards the subscription is durable and goes on where it stopped.
   */
  from?: EventStart;
  /** Events one instance handles at once. Default 16; 1 handles them one after another. */
  concurrency?: number;
}

// Subscriptions may use NATS wildcards: `*` one word, `>` the rest.
const TOPIC_PATTERN = /^([A-Za-z0-9_-]+|\*)(\.([A-Za-z0-9_-]+|\*))*(\.>)?$|^>$/;

/** The subscription in its full form, defaults applied. */
export function eventSubscriptionOf(entry: EventHandler | EventSubscription): EventSubscription {
  return typeof entry === "function" ? { handler: entry } : entry;
}

/**
 * Checks an actor's `events` when it is defined.
 * @throws CONFIG_INVALID naming the actor and topic for a bad topic, handler, `from` or `concurrency`.
 */
export function checkEventSubscriptions(actor: string, events: Record<string, EventHandler | EventSubscription> | undefined): void {
  for (const [topic, entry] of Object.entries(events ?? {})) {
    const where = `actor "${actor}" event ${JSON.stringify(topic)}`;
    if (!TOPIC_PATTERN.test(topic)) throw new ConfigError(`${where}: expected dotted words such as "order.placed" (letters, digits, - and _; * and > as wildcards)`);
    const sub = typeof entry === "function" ? { handler: entry } : entry;
    if (typeof sub?.handler !== "function") throw new ConfigError(`${where}: expected a handler function, or { handler, from?, concurrency? }`);
    const { from, concurrency } = sub;
    if (from !== undefined && from !== "new" && from !== "all" && !(from instanceof Date && !Number.isNaN(from.getTime()))) {
      throw new ConfigError(`${where}: from must be "new", "all" or a valid Date, got ${JSON.stringify(from)}`);
    }
    if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new ConfigError(`${where}: concurrency must be a whole number of at least 1, got ${JSON.stringify(concurrency)}`);
    }
  }
}
