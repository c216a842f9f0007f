/**
 * The durable-event part of the wire contract: where a hub stores its events, where events
 * that could not be handled go, and what a dead letter says. Events themselves are published
 * on `<prefix>.events.<topic>` (see `eventSubject`), by `ctx.emit` or by any NATS client.
 */

/** The JetStream stream that stores a hub's events (every `<prefix>.events.>` subject). */
export function eventStreamName(prefix: string): string {
  return `${prefix}-events`;
}

/** The JetStream stream that keeps a hub's dead letters (every `<prefix>.events-dead.>` subject). */
export function deadEventStreamName(prefix: string): string {
  return `${prefix}-events-dead`;
}

/** Every subject of a hub's events, as a stream or a watcher captures them. */
export function allEventsSubject(prefix: string): string {
  return `${prefix}.events.>`;
}

/** Every subject of a hub's dead letters. */
export function allDeadEventsSubject(prefix: string): string {
  return `${prefix}.events-dead.>`;
}

/** Where an event goes that `actor` could not handle on `topic` within its attempts. */
export function deadEventSubject(prefix: string, actor: string, topic: string): string {
  return `${prefix}.events-dead.${actor}.${topic}`;
}

/**
 * The durable consumer of one actor on one topic, shared by its instances. JetStream names
 * cannot hold `.`, `*` or `>`, so a topic's dots become `_` and wildcards are spelled out; the
 * consumer's description keeps the actor and topic as they are (`<actor> <topic>`).
 */
export function eventConsumerName(actor: string, topic: string): string {
  return `${actor}--${topic.replaceAll(".", "_").replaceAll("*", "any").replaceAll(">", "rest")}`;
}

/**
 * Where JetStream says a consumer gave up an event whose last delivery went unanswered (a
 * crash, a hang): body `{"stream","consumer","stream_seq","deliveries",…}`.
 */
export function maxDeliveriesAdvisorySubject(stream: string, consumer: string): string {
  return `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${consumer}`;
}

/** Set by JetStream publishers (and `ctx.emit`) to an event's id; the stream drops a repeat within its duplicate window. */
export const EVENT_ID_HEADER = "Nats-Msg-Id";

/** The body of a dead letter (JSON), published on `deadEventSubject` with the event's trace id. */
export interface DeadLetter {
  actor: string;
  topic: string;
  /** The event's id: its `Nats-Msg-Id`, or `<stream>:<sequence>` when it had none. */
  eventId: string;
  /** The event's sequence in the hub's event stream. */
  seq: number;
  /** Deliveries made, the failed last one included. */
  attempts: number;
  /** Epoch ms the event was stored. */
  storedAt: number;
  /** Epoch ms the event was given up. */
  deadAt: number;
  error: { code: string; message: string };
  /** The event's payload; `raw` instead when it was not JSON. */
  payload?: unknown;
  raw?: string;
}
