import {
  AckPolicy,
  ConsumerEvents,
  DeliverPolicy,
  DiscardPolicy,
  NatsError,
  RetentionPolicy,
  StorageType,
  headers as natsHeaders,
  nanos,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  type Subscription,
} from "nats";
import { DeadlineExceededError, OutcomeUnknownError, PayloadTooLargeError, UnavailableError, toFuseError } from "../../errors/index.ts";
import {
  EVENT_ID_HEADER,
  ErrorCode,
  Header,
  allDeadEventsSubject,
  allEventsSubject,
  deadEventStreamName,
  deadEventSubject,
  eventConsumerName,
  eventStreamName,
  maxDeliveriesAdvisorySubject,
  eventSubject,
} from "../../protocol/index.ts";
import { afterFailure, type EventSettings } from "./event-settings.ts";
import { deadLetter } from "./dead-letter.ts";
import { DEFAULT_EVENT_CONCURRENCY, type DeliveredEvent, type EventConsumer, type EventConsumerSpec, type EventStart, type OutgoingEvent } from "./event-types.ts";

const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;
/** A publish retried within this window (same event id) is stored once. */
const DUPLICATE_WINDOW_MS = 120_000;
const PUBLISH_TIMEOUT_MS = 5000;

function apiCode(error: unknown): number | undefined {
  return error instanceof NatsError ? error.api_error?.err_code : undefined;
}

const bytesOf = (body: Uint8Array | string) => (typeof body === "string" ? Buffer.from(body) : body);

function deliverPolicy(from: EventStart = "new"): Pick<ConsumerConfig, "deliver_policy" | "opt_start_time"> {
  if (from === "all") return { deliver_policy: DeliverPolicy.All };
  if (from === "new") return { deliver_policy: DeliverPolicy.New };
  return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: from.toISOString() };
}

/** One delivery as the subscriber sees it. */
class JetStreamEvent implements DeliveredEvent {
  readonly id: string;
  readonly deadline: number;
  constructor(
    readonly msg: JsMsg,
    stream: string,
    ackWaitMs: number,
  ) {
    this.id = msg.headers?.get(EVENT_ID_HEADER) || `${stream}:${msg.seq}`;
    this.deadline = Date.now() + ackWaitMs;
  }
  get subject(): string {
    return this.msg.subject;
  }
  get data(): Uint8Array {
    return this.msg.data;
  }
  get seq(): number {
    return this.msg.seq;
  }
  get attempt(): number {
    return this.msg.info.deliveryCount;
  }
  get storedAt(): number {
    return Math.floor(this.msg.info.timestampNanos / 1e6);
  }
  header(name: string): string | undefined {
    return this.msg.headers?.get(name) || undefined;
  }
}

/**
 * A hub's durable events on JetStream: the stream (and the dead letters' stream) made when
 * missing, `emit` acknowledged by the stream, and one durable pull consumer per actor and topic
 * shared by the actor's instances.
 */
export class NatsEvents {
  private manager: Promise<JetStreamManager> | undefined;
  private readonly ready = new Map<string, Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    readonly settings: EventSettings,
    /** The transport's request: resolves with the reply, rejects NO_LIVE_INSTANCE or DEADLINE_EXCEEDED. */
    private readonly request: (subject: string, body: Uint8Array, options: { headers: Record<string, string>; timeoutMs: number }) => Promise<{ data: Uint8Array }>,
    /** Copies of the streams made here (a cluster hub's R3); undefined leaves the server's default. */
    private readonly replicas?: number,
  ) {}

  private jsm(): Promise<JetStreamManager> {
    if (!this.manager) {
      // A failure is not kept (JetStream that had no answer yet may have one on the next try).
      const making = this.nc.jetstreamManager();
      making.catch(() => {
        if (this.manager === making) this.manager = undefined;
      });
      this.manager = making;
    }
    return this.manager;
  }

  /**
   * Makes the hub's event stream and dead-letter stream when missing; with `update` (the hub
   * at start) also brings their retention to the settings.
   * @throws NO_LIVE_INSTANCE naming the stream, and what a bus without JetStream means.
   */
  ensureStreams(prefix: string, update = false): Promise<void> {
    return this.makeStreams(prefix, update).catch((error: unknown) => {
      // nats.js says "503" when JetStream does not answer: say what that means here.
      const silent = error instanceof NatsError && error.code === "503";
      const why = silent ? "JetStream does not answer on this bus (is nats-server running with -js, and JetStream enabled for this account?)" : (error as Error).message;
      throw new UnavailableError(`the event stream ${eventStreamName(prefix)} cannot be reached: ${why}`, silent ? {} : { cause: error });
    });
  }

  private async makeStreams(prefix: string, update: boolean): Promise<void> {
    const jsm = await this.jsm();
    const limits = { max_age: nanos(this.settings.maxAgeMs), max_bytes: this.settings.maxBytes, ...(this.replicas ? { num_replicas: this.replicas } : {}) };
    for (const [name, subject] of [
      [eventStreamName(prefix), allEventsSubject(prefix)],
      [deadEventStreamName(prefix), allDeadEventsSubject(prefix)],
    ] as const) {
      try {
        const info = await jsm.streams.info(name);
        const replicasDiffer = limits.num_replicas !== undefined && info.config.num_replicas !== limits.num_replicas;
        if (update && (info.config.max_age !== limits.max_age || info.config.max_bytes !== limits.max_bytes || replicasDiffer)) {
          await jsm.streams.update(name, { ...info.config, ...limits });
        }
      } catch (error) {
        if (apiCode(error) !== STREAM_NOT_FOUND) throw error;
        try {
          await jsm.streams.add({
            name,
            subjects: [subject],
            retention: RetentionPolicy.Limits,
            storage: StorageType.File,
            discard: DiscardPolicy.Old,
            duplicate_window: nanos(DUPLICATE_WINDOW_MS),
            ...limits,
          });
        } catch (addError) {
          // Another process made it meanwhile (with settings of its own): it is there, which is what counts.
          await jsm.streams.info(name).catch(() => Promise.reject(addError));
        }
      }
    }
  }

  private streamsOf(prefix: string): Promise<void> {
    let ready = this.ready.get(prefix);
    if (!ready) {
      ready = this.ensureStreams(prefix);
      this.ready.set(prefix, ready);
      ready.catch(() => this.ready.delete(prefix));
    }
    return ready;
  }

  /**
   * Stores an event; resolves once the stream has it.
   * @throws PAYLOAD_TOO_LARGE at once when the body is above what the bus takes (nothing sent).
   * @returns a promise that rejects with NO_LIVE_INSTANCE when the stream cannot be reached
   *   (not stored), or OUTCOME_UNKNOWN when no acknowledgement came (it may have been stored).
   */
  emit(event: OutgoingEvent): Promise<void> {
    const subject = eventSubject(event.prefix, event.topic);
    const data = bytesOf(event.body);
    const limit = this.nc.info?.max_payload;
    if (limit !== undefined && data.length > limit) {
      throw new PayloadTooLargeError(`message to ${subject}: a body of ${data.length} bytes is above the bus limit of ${limit} bytes (max_payload, headers included)`, {
        details: { size: data.length, limit },
      });
    }
    return this.store(event, subject, data);
  }

  private async store(event: OutgoingEvent, subject: string, data: Uint8Array): Promise<void> {
    // Through the transport's request path (one shared reply subscription, its own header
    // codec) rather than nats.js's JetStream client: the hot path of apps that emit a lot.
    const headers: Record<string, string> = { ...event.headers, [EVENT_ID_HEADER]: event.id };
    // The stream's acknowledgement: `{"stream","seq"}`, or `{"error":{…}}` when it refused.
    const publish = async () => {
      const reply = await this.request(subject, data, { headers, timeoutMs: PUBLISH_TIMEOUT_MS });
      const ack = JSON.parse(Buffer.from(reply.data).toString("utf8")) as { error?: { description?: string } };
      if (ack.error) throw new UnavailableError(`event ${event.topic} was not stored: ${ack.error.description ?? "the stream refused it"}`, { details: { refused: true } });
    };
    const retryable = (error: unknown) => {
      const fuse = toFuseError(error);
      return fuse.code === ErrorCode.DEADLINE_EXCEEDED || (fuse.code === ErrorCode.NO_LIVE_INSTANCE && !fuse.details);
    };
    try {
      await publish();
      return;
    } catch (error) {
      if (!retryable(error)) throw error;
      // No stream listens (a bare server, or the stream was removed): make it and try once more.
      if (toFuseError(error).code === ErrorCode.NO_LIVE_INSTANCE) await this.streamsOf(event.prefix);
    }
    try {
      // The same id: if the first attempt was stored after all, the stream drops this one.
      await publish();
    } catch (error) {
      if (toFuseError(error).code === ErrorCode.DEADLINE_EXCEEDED) {
        throw new OutcomeUnknownError(`event ${event.topic}: the event stream did not acknowledge it in time; it may or may not be stored`, { cause: error });
      }
      throw error;
    }
  }

  /** Makes the actor's durable consumer when missing and brings its retry settings up to date. */
  private async ensureConsumer(spec: EventConsumerSpec): Promise<string> {
    await this.streamsOf(spec.prefix);
    const jsm = await this.jsm();
    const stream = eventStreamName(spec.prefix);
    const name = eventConsumerName(spec.actor, spec.topic);
    const retry = { max_deliver: this.settings.maxDeliver, ack_wait: nanos(this.settings.ackWaitMs) };
    try {
      const info = await jsm.consumers.info(stream, name);
      if (info.config.max_deliver !== retry.max_deliver || info.config.ack_wait !== retry.ack_wait) {
        await jsm.consumers.update(stream, name, retry);
      }
    } catch (error) {
      if (apiCode(error) !== CONSUMER_NOT_FOUND) throw error;
      try {
        await jsm.consumers.add(stream, {
          durable_name: name,
          description: `${spec.actor} ${spec.topic}`,
          filter_subject: eventSubject(spec.prefix, spec.topic),
          ack_policy: AckPolicy.Explicit,
          max_ack_pending: 10_000,
          ...deliverPolicy(spec.from),
          ...retry,
        });
      } catch (addError) {
        // Another instance of the actor made it meanwhile.
        await jsm.consumers.info(stream, name).catch(() => Promise.reject(addError));
      }
    }
    return name;
  }

  /**
   * Events whose last delivery went unanswered (the handler crashed or hung each time) are
   * given up by JetStream with an advisory, not through our handler: they go to the dead
   * letters here. The instances share the advisory's subscription, so one of them writes it.
   */
  private deadLetterUnanswered(spec: EventConsumerSpec, stream: string, name: string): Subscription {
    return this.nc.subscribe(maxDeliveriesAdvisorySubject(stream, name), {
      queue: name,
      callback: (_err, msg) => {
        void (async () => {
          const advisory = msg.json<{ stream_seq: number; deliveries: number }>();
          const stored = await (await this.jsm()).streams.getMessage(stream, { seq: advisory.stream_seq });
          const event: DeliveredEvent = {
            subject: stored.subject,
            data: stored.data,
            header: (h) => stored.header.get(h) || undefined,
            id: stored.header.get(EVENT_ID_HEADER) || `${stream}:${stored.seq}`,
            seq: stored.seq,
            attempt: advisory.deliveries,
            storedAt: stored.time.getTime(),
          };
          const error = new DeadlineExceededError(
            `no instance of ${spec.actor} answered any of the ${advisory.deliveries} deliveries within ${this.settings.ackWaitMs} ms (the handler crashed, hung or was too slow)`,
          );
          await this.sendToDead(spec, event, error);
          spec.onDead?.(event, error);
        })().catch(() => undefined);
      },
    });
  }

  private async sendToDead(spec: EventConsumerSpec, event: DeliveredEvent, error: unknown): Promise<void> {
    const h = natsHeaders();
    const traceId = event.header(Header.traceId);
    if (traceId) h.set(Header.traceId, traceId);
    const letter = deadLetter(spec.actor, spec.topic, event, error);
    await this.nc.jetstream().publish(deadEventSubject(spec.prefix, spec.actor, spec.topic), JSON.stringify(letter), { headers: h, timeout: PUBLISH_TIMEOUT_MS });
  }

  private async pull(stream: string, name: string, limit: number): Promise<ConsumerMessages> {
    const consumer = await this.nc.jetstream().consumers.get(stream, name);
    return consumer.consume({ max_messages: limit });
  }

  /** Resolves true (and ends the pull) when the server says the consumer was deleted. */
  private async onDeleted(messages: ConsumerMessages): Promise<boolean> {
    for await (const status of await messages.status()) {
      if (status.type === ConsumerEvents.ConsumerDeleted) {
        messages.stop();
        return true;
      }
    }
    return false;
  }

  /** Pulls from the consumer once it is back (made anew by a replay); makes it after a while if nobody does. */
  private async pullAgain(spec: EventConsumerSpec, stream: string, name: string, limit: number, stopped: () => boolean): Promise<ConsumerMessages> {
    const jsm = await this.jsm();
    for (let tries = 0; !stopped(); tries++) {
      try {
        if (tries >= 50) await this.ensureConsumer(spec);
        await jsm.consumers.info(stream, name);
        return await this.pull(stream, name, limit);
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return this.pull(stream, name, limit);
  }

  /** Subscribes one instance of an actor to a topic through the actor's durable consumer. */
  async consume(spec: EventConsumerSpec): Promise<EventConsumer> {
    const name = await this.ensureConsumer(spec);
    const stream = eventStreamName(spec.prefix);
    const limit = spec.concurrency ?? DEFAULT_EVENT_CONCURRENCY;
    let messages = await this.pull(stream, name, limit);
    const unanswered = this.deadLetterUnanswered(spec, stream, name);
    const running = new Set<Promise<void>>();
    let stopped = false;
    let slot: (() => void) | undefined;

    const settle = async (event: JetStreamEvent): Promise<void> => {
      try {
        await spec.handle(event);
        event.msg.ack();
        return;
      } catch (error) {
        const next = afterFailure(event.attempt, this.settings, toFuseError(error).code === ErrorCode.BAD_REQUEST);
        if ("retryInMs" in next) return event.msg.nak(next.retryInMs);
        try {
          await this.sendToDead(spec, event, error);
          event.msg.term();
          spec.onDead?.(event, error);
        } catch {
          // The dead letter was not stored: leave the event unanswered, so it comes back (if attempts remain) rather than vanish.
        }
      }
    };

    const take = async (): Promise<void> => {
      for await (const msg of messages) {
        // Taken after the stop began: give it straight back, so another instance takes it now.
        if (stopped) {
          msg.nak();
          continue;
        }
        const run = settle(new JetStreamEvent(msg, stream, this.settings.ackWaitMs)).finally(() => {
          running.delete(run);
          slot?.();
        });
        running.add(run);
        while (running.size >= limit && !stopped) await new Promise<void>((r) => (slot = r));
      }
    };
    void (async () => {
      // `fuse events replay` makes the consumer anew under the same name. nats.js would find
      // it again only after missing two idle heartbeats (half a minute); pulling again from
      // the new one at once keeps the pause short.
      while (!stopped) {
        const deleted = this.onDeleted(messages);
        await take().catch(() => undefined);
        if (stopped) return;
        // Ended for another reason (the pull failed): wait a moment before pulling again.
        const wasDeleted = await Promise.race([deleted, new Promise<false>((r) => setTimeout(() => r(false), 1000))]);
        if (!wasDeleted) await new Promise((r) => setTimeout(r, 1000));
        messages = await this.pullAgain(spec, stream, name, limit, () => stopped);
      }
    })();

    return {
      inflight: () => running.size,
      async stop(timeoutMs = 10_000) {
        stopped = true;
        slot?.();
        unanswered.unsubscribe();
        await messages.close().catch(() => undefined);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.allSettled([...running]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
        clearTimeout(timer);
      },
    };
  }
}
