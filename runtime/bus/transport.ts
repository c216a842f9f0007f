/**
 * The seam between the SDK and a message bus. Two back-ends implement it: NATS (production,
 * in this module) and in-process (the SDK's unit-test mode). Bodies are bytes or text so both
 * back-ends run the same encode/validate/decode path.
 */
export type Body = Uint8Array | string;
export type HeaderRecord = Record<string, string>;

export interface IncomingRequest {
  readonly subject: string;
  readonly data: Uint8Array;
  header(name: string): string | undefined;
  /** @throws PAYLOAD_TOO_LARGE when the reply is above what the bus takes; nothing was sent. */
  respond(body: Body, headers?: HeaderRecord): void;
}

export interface EndpointSpec {
  name: string;
  subject: string;
  metadata: Record<string, string>;
  handle(request: IncomingRequest): void;
}

export interface ServiceSpec {
  /** The actor name; also the queue group shared by its instances. */
  name: string;
  version: string;
  description?: string;
  metadata: Record<string, string>;
  endpoints: EndpointSpec[];
  /** Extra data for an endpoint's `$SRV.STATS` entry (requests, errors, latency). */
  statsOf?(endpoint: string): unknown;
}

export interface ServedService {
  readonly id: string;
  /** Stops taking new requests; requests already delivered are still handled. */
  stop(): Promise<void>;
}

export interface RequestOptions {
  headers?: HeaderRecord;
  timeoutMs: number;
  /**
   * Sends requests made during one event-loop turn in one write. For requests that each
   * start in a macrotask of their own (an HTTP request, say); those made while handling bus
   * messages already leave together.
   */
  coalesce?: boolean;
}

/** How long a scatter-gather request collects replies. */
export interface GatherOptions {
  /** Longest wait for replies in ms, however many keep coming. */
  timeoutMs: number;
  /**
   * Ms of silence after the latest reply after which the gather ends early. Default: none,
   * the gather runs for `timeoutMs`.
   */
  stallMs?: number;
  /** Stop after this many replies. Default: no limit. */
  max?: number;
}

export interface Reply {
  readonly data: Uint8Array;
  header(name: string): string | undefined;
  /** The NATS status of a status message (a JetStream direct get's 404), else undefined. */
  readonly status?: number | undefined;
}

export interface EventMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  header(name: string): string | undefined;
}

export interface SubscribeOptions {
  /** Deliver each message to one member of this group instead of to every subscriber. */
  queue?: string;
  /**
   * Drain on unsubscribe: messages the server routed here before it saw the unsubscribe are
   * still handled, instead of dropped (a request dropped that way waits for its deadline).
   */
  drain?: boolean;
}

import type { KeyValueBucket, KeyValueOptions, ObjectBucket } from "./stores.ts";
import type { EventConsumer, EventConsumerSpec, OutgoingEvent } from "./events/event-types.ts";
import type { EventFollow, EventFollowSpec } from "./events/event-follow.ts";

/** The state of a process's connection to the bus. */
export interface BusStatus {
  up: boolean;
  /** Epoch ms of the last change (connected, lost, reconnected). */
  since: number;
}

/** See {@link Transport.probe}. */
export type EndpointPresence = "absent" | "lacks" | "declares";

export interface Transport {
  serve(spec: ServiceSpec): Promise<ServedService>;
  /**
   * Sends a request and resolves with the reply (error replies included). Rejects with
   * UnavailableError (NO_LIVE_INSTANCE) when nothing listens on the subject, with
   * DeadlineExceededError when no reply comes in time and with PayloadTooLargeError when the
   * request is above what the bus takes.
   */
  request(subject: string, body: Body, options: RequestOptions): Promise<Reply>;
  /**
   * Scatter-gather: sends one request that every listener on the subject answers (as
   * `$SRV.INFO` is answered by every service instance) and resolves with all replies that
   * came within the window. Never rejects for silence: no listener gives an empty list.
   */
  gather(subject: string, body: Body, options: GatherOptions): Promise<Reply[]>;
  /** @throws PAYLOAD_TOO_LARGE when the message is above what the bus takes; nothing was sent. */
  publish(subject: string, body: Body, headers?: HeaderRecord): void;
  /**
   * Calls `handler` for every message on the subject. The handler handles its own errors:
   * one it throws becomes an uncaught exception of the process (on both back-ends), never a
   * stalled subscription.
   */
  subscribe(
    subject: string,
    handler: (message: EventMessage) => void,
    options?: SubscribeOptions,
  ): () => void;
  /**
   * Calls `handle` for every request on `subject`, outside any micro service and queue group
   * (a keyed actor's partition subjects, which only their owner listens on). With `holder`
   * (the instance's service id) a request that asks for a receipt gets one naming it.
   * Returns the unsubscribe.
   */
  listen(subject: string, handle: (request: IncomingRequest) => void, options?: { holder?: string }): () => void;
  /**
   * Stores an event in the hub's event stream and resolves once it is stored.
   * @throws PAYLOAD_TOO_LARGE at once when the body is above what the bus takes (nothing sent).
   */
  emit(event: OutgoingEvent): Promise<void>;
  /** Subscribes one instance of an actor to a topic through the actor's durable subscription. */
  consumeEvents(spec: EventConsumerSpec): Promise<EventConsumer>;
  /**
   * Follows a topic's stored events in order, from `afterSeq` or from now, without a durable
   * subscription (live views such as the gateway's `/events/<topic>`). Resolves once following.
   * @throws NOT_FOUND when the hub's event stream does not exist.
   */
  followEvents(spec: EventFollowSpec): Promise<EventFollow>;
  /**
   * What the actor's live instances say of an endpoint subject, asked after a request to it
   * found no responder: no instance answers (`absent`), one answers and declares no endpoint
   * on that subject (`lacks`), or one declares it (`declares`: it is subscribing or leaving).
   */
  probe(actor: string, subject: string): Promise<EndpointPresence>;
  /** Whether the connection to the bus is up now, and since when (epoch ms) it is up or down. */
  busStatus(): BusStatus;
  /** A key-value bucket (created when missing). */
  keyValue(bucket: string, options?: KeyValueOptions): Promise<KeyValueBucket>;
  /** An object (file) bucket (created when missing). */
  objects(bucket: string): Promise<ObjectBucket>;
  flush(): Promise<void>;
  /** Drains subscriptions and closes. */
  close(): Promise<void>;
}
