/** An event to store: `ctx.emit` hands it to the transport. */
export interface OutgoingEvent {
  prefix: string;
  topic: string;
  body: Uint8Array | string;
  headers: Record<string, string>;
  /** Unique per emit; the stream drops a repeat of it (a publish retried after a lost ack). */
  id: string;
}

/** Where a new subscription starts: new events only, everything stored, or from a moment on. */
export type EventStart = "new" | "all" | Date;

/** One delivery of a stored event to a subscriber. */
export interface DeliveredEvent {
  readonly subject: string;
  readonly data: Uint8Array;
  header(name: string): string | undefined;
  /** The event's id, the same on every delivery: its `Nats-Msg-Id`, else `<stream>:<seq>`. */
  readonly id: string;
  /** Its sequence in the hub's event stream. */
  readonly seq: number;
  /** 1 for the first delivery to this actor, 2 for the first retry, … */
  readonly attempt: number;
  /** Epoch ms it was stored. */
  readonly storedAt: number;
  /** Epoch ms after which the delivery counts as lost (a crash, a hang) and is made again; undefined in-process. */
  readonly deadline?: number;
}

/**
 * A durable subscription of one actor to one topic, shared by the actor's instances: each
 * event reaches one of them at least once, acknowledged when `handle` resolves, retried after
 * it rejects, and given up to the dead letters after the hub's `maxDeliver` attempts (at once
 * for an error whose code is BAD_REQUEST, such as a payload that is not JSON).
 */
export interface EventConsumerSpec {
  prefix: string;
  actor: string;
  topic: string;
  /** Where the subscription starts the first time it is made. Default "new". */
  from?: EventStart;
  /** Events this instance handles at once. Default 16. */
  concurrency?: number;
  handle(event: DeliveredEvent): Promise<void>;
  /** Told when an event is given up, with the error of its last attempt. */
  onDead?(event: DeliveredEvent, error: unknown): void;
}

export interface EventConsumer {
  /** Takes no more events and waits (up to `timeoutMs`) for the handlers running. */
  stop(timeoutMs?: number): Promise<void>;
  /** Handlers running now. */
  inflight(): number;
}

export const DEFAULT_EVENT_CONCURRENCY = 16;
