import { createInbox, type Msg, type NatsConnection } from "nats";
import { FuseError, OutcomeUnknownError, UnavailableError } from "../errors/index.ts";
import { ErrorCode, Header, INSTANCE_LOST_SUBJECT, serviceInfoSubject } from "../protocol/index.ts";
import { inboxPrefixOf } from "./connect.ts";
import { encodeHeaders, headerReader, subjectSequence } from "./nats-wire.ts";
import { openKeyValue, openObjects } from "./nats-stores.ts";
import { NatsEvents } from "./events/nats-events.ts";
import { eventSettings, type EventSettings } from "./events/event-settings.ts";
import type { EventConsumer, EventConsumerSpec, OutgoingEvent } from "./events/event-types.ts";
import type { EventFollow, EventFollowSpec } from "./events/event-follow.ts";
import { followNatsEvents } from "./events/nats-event-follow.ts";
import { payloadTooLarge } from "./payload-limit.ts";
import { PendingRequests } from "./pending-requests.ts";
import { matchesFilter, type KeyValueBucket, type KeyValueOptions, type ObjectBucket } from "./stores.ts";
import type {
  Body,
  BusStatus,
  EndpointPresence,
  EventMessage,
  GatherOptions,
  HeaderRecord,
  IncomingRequest,
  Reply,
  RequestOptions,
  ServedService,
  ServiceSpec,
  SubscribeOptions,
  Transport,
} from "./transport.ts";

const NO_RESPONDERS = 503;
const PROBE_TIMEOUT_MS = 500;

/** Strings leave as UTF-8 bytes, encoded by Buffer.from: nats.js's TextEncoder costs more for the short strings calls carry. */
function bytesOf(body: Body): Uint8Array {
  return typeof body === "string" ? Buffer.from(body) : body;
}

/** A received message; its subject is decoded only if read (replies never need it). */
class ReceivedMessage implements Reply, EventMessage {
  readonly data: Uint8Array;
  readonly header: (name: string) => string | undefined;

  constructor(readonly msg: Msg) {
    this.data = msg.data;
    this.header = headerReader(msg);
  }

  get subject(): string {
    return this.msg.subject;
  }

  get status(): number | undefined {
    return this.msg.headers?.code || undefined;
  }
}

const EMPTY = new Uint8Array(0);
// How long after an instance's death a request still without a receipt counts as lost with it.
const UNTAKEN_GRACE_MS = 250;

export interface NatsTransportOptions {
  /**
   * Receipts: each request asks the instance that takes it to say so at once, and a request
   * whose instance the hub reports dead fails then (OUTCOME_UNKNOWN) instead of at its
   * deadline. One more small message per request. Default false.
   */
  receipts?: boolean;
  /** How the hub keeps events and retries them (the config's `events`). Default: the defaults. */
  events?: Partial<EventSettings>;
  /** Copies of each stream and bucket this transport makes (a cluster hub's R3). Default: the server's (1). */
  replicas?: number;
}

/** One request to an endpoint, as the runner sees it. */
class ServiceRequest extends ReceivedMessage implements IncomingRequest {
  constructor(
    msg: Msg,
    private readonly connection: NatsConnection,
  ) {
    super(msg);
  }

  respond(body: Body, headers?: HeaderRecord): void {
    const bytes = bytesOf(body);
    try {
      this.msg.respond(bytes, { headers: encodeHeaders(headers) });
    } catch (error) {
      throw payloadTooLarge(error, this.connection, `reply to ${this.subject}`, bytes.length);
    }
  }
}

/**
 * The NATS back-end. Requests share one wildcard reply subscription and one sweep timer, so
 * a request costs one publish and a map entry; actors are NATS micro services.
 */
export class NatsTransport implements Transport {
  private readonly inbox: string;
  private readonly pending = new PendingRequests<Reply>();

  private status: BusStatus = { up: true, since: Date.now() };

  private readonly receipts: boolean;
  private readonly events: NatsEvents;
  private readonly replicas: number | undefined;

  constructor(
    readonly connection: NatsConnection,
    options: NatsTransportOptions = {},
  ) {
    // Below the identity's own inbox prefix: the only replies its credential may read.
    this.inbox = `${createInbox(inboxPrefixOf(connection))}.`;
    this.receipts = options.receipts ?? false;
    this.replicas = options.replicas;
    this.events = new NatsEvents(connection, eventSettings(options.events), (subject, body, o) => this.request(subject, body, o), options.replicas);
    // A subscription the server refuses comes back as an error with an empty message, once: it
    // must not reach the handlers (reading it would stop nats.js's reader and deafen the connection).
    connection.subscribe(`${this.inbox}*`, { callback: (err, msg) => (err ? this.onInboxRefused() : this.onReply(msg)) });
    if (this.receipts) connection.subscribe(INSTANCE_LOST_SUBJECT, { callback: (err, msg) => (err ? undefined : this.onInstanceLost(msg)) });
    void this.followStatus();
  }

  /** Set when this identity may not read its inbox: every request would go unanswered. */
  private inboxRefused: FuseError | undefined;

  private onInboxRefused(): void {
    this.inboxRefused = new FuseError(
      ErrorCode.FORBIDDEN,
      `this process's bus identity may not read replies on ${this.inbox}*: connect with the inbox prefix of its identity (_INBOX.<name>)`,
      { details: { inbox: this.inbox } },
    );
    this.pending.rejectAll(() => this.inboxRefused);
  }

  private onInstanceLost(msg: Msg): void {
    let lost: { instance?: unknown; subjects?: unknown };
    try {
      lost = JSON.parse(Buffer.from(msg.data).toString("utf8")) as typeof lost;
    } catch {
      return;
    }
    const { instance, subjects } = lost;
    if (typeof instance !== "string") return;
    this.pending.rejectHeldBy(
      instance,
      (subject) => new OutcomeUnknownError(`the instance that took the request to ${subject} died before it replied; it may or may not have run`, { details: { instance } }),
    );
    if (typeof subjects !== "string" || !subjects) return;
    // A request on its way to the dead instance (or waiting in its socket, if it was frozen)
    // never sends a receipt. One that a live instance takes sends it at once, so what is still
    // untaken after a grace went down with the dead one, or waits behind a busy loop: it may
    // yet run, hence OUTCOME_UNKNOWN too.
    const before = Date.now();
    setTimeout(() => {
      this.pending.rejectUntaken(
        subjects,
        before,
        (subject) => new OutcomeUnknownError(`no instance took the request to ${subject} before one of them died; it may have been lost with it`, { details: { instance } }),
      );
    }, UNTAKEN_GRACE_MS).unref();
  }

  private async followStatus(): Promise<void> {
    for await (const event of this.connection.status()) {
      if (event.type === "disconnect") this.status = { up: false, since: Date.now() };
      else if (event.type === "reconnect") this.status = { up: true, since: Date.now() };
      else if (event.type === "error" && event.permissionContext?.operation === "publish") this.onPublishRefused(event.permissionContext.subject);
    }
  }

  /**
   * The server refused a publish this identity may not make. It says so only asynchronously
   * (`-ERR Permissions Violation`), naming the subject: requests waiting on that subject fail
   * now with FORBIDDEN, instead of at their deadline.
   */
  private onPublishRefused(subject: string): void {
    this.pending.rejectSubject(
      subject,
      (s) => new FuseError(ErrorCode.FORBIDDEN, `this process's bus identity may not publish to ${s}`, { details: { subject: s } }),
    );
  }

  busStatus(): BusStatus {
    return this.connection.isClosed() ? { up: false, since: this.status.since } : this.status;
  }

  async serve(spec: ServiceSpec): Promise<ServedService> {
    const nameOf = new Map(spec.endpoints.map((e) => [e.subject, e.name]));
    const service = await this.connection.services.add({
      name: spec.name,
      version: spec.version,
      description: spec.description ?? "",
      metadata: spec.metadata,
      queue: spec.name,
      statsHandler: spec.statsOf
        ? (endpoint) => Promise.resolve(spec.statsOf!(nameOf.get(endpoint.subject) ?? ""))
        : undefined,
    });
    const serviceId = service.info().id;
    for (const endpoint of spec.endpoints) {
      service.addEndpoint(endpoint.name, {
        subject: endpoint.subject,
        metadata: endpoint.metadata,
        handler: (_err, msg) => {
          const request = new ServiceRequest(msg, this.connection);
          // The receipt leaves before any work, so a caller learns who holds its request.
          if (msg.reply && request.header(Header.receipt)) this.connection.publish(msg.reply, EMPTY, { headers: encodeHeaders({ [Header.receipt]: serviceId }) });
          endpoint.handle(request);
        },
      });
    }
    return {
      id: serviceId,
      stop: async () => {
        await service.stop();
      },
    };
  }

  request(subject: string, body: Body, options: RequestOptions): Promise<Reply> {
    if (this.inboxRefused) return Promise.reject(this.inboxRefused);
    const busy = this.pending.size > 0;
    const { id, promise } = this.pending.add(subject, options.timeoutMs);
    // nats.js writes what was published by the end of the current microtask queue. Calls
    // made while handling bus messages (replies, requests) run in those microtasks and leave
    // in one write by themselves; only requests that each start in a macrotask of their own,
    // such as the gateway's HTTP requests, need gathering until the turn ends, or each would
    // cost a syscall and a wake-up of nats-server.
    // One with nothing else in flight goes at once, so sequential latency is unchanged.
    if (options.coalesce && (busy || this.batch)) {
      if (!this.batch) {
        this.batch = [];
        setImmediate(this.flushBatch);
      }
      this.batch.push({ id, subject, body, headers: options.headers });
    } else {
      this.send(id, subject, body, options.headers);
    }
    return promise;
  }

  private batch: { id: number; subject: string; body: Body; headers: HeaderRecord | undefined }[] | undefined;

  private readonly flushBatch = () => {
    const batch = this.batch ?? [];
    this.batch = undefined;
    for (const r of batch) this.send(r.id, r.subject, r.body, r.headers);
  };

  private send(id: number, subject: string, body: Body, headers: HeaderRecord | undefined): void {
    const bytes = bytesOf(body);
    try {
      const sent = this.receipts ? { ...headers, [Header.receipt]: "1" } : headers;
      this.connection.publish(subject, bytes, { reply: this.inbox + id, headers: encodeHeaders(sent) });
    } catch (thrown) {
      const error = payloadTooLarge(thrown, this.connection, `request to ${subject}`, bytes.length);
      this.pending.reject(id, () => (error instanceof FuseError ? error : new UnavailableError(`cannot publish to ${subject}`, { cause: error })));
    }
  }

  gather(subject: string, body: Body, options: GatherOptions): Promise<Reply[]> {
    const replies: Reply[] = [];
    const inbox = createInbox(inboxPrefixOf(this.connection));
    return new Promise((resolve) => {
      let stall: NodeJS.Timeout | undefined;
      const sub = this.connection.subscribe(inbox, {
        callback: (err, msg) => {
          if (err) return finish();
          // The no-responders status is not a reply from anyone.
          if (msg.data.length === 0 && msg.headers?.code === NO_RESPONDERS) return finish();
          replies.push(new ReceivedMessage(msg));
          if (options.max !== undefined && replies.length >= options.max) return finish();
          if (options.stallMs !== undefined) {
            clearTimeout(stall);
            stall = setTimeout(finish, options.stallMs);
          }
        },
      });
      const timer = setTimeout(finish, options.timeoutMs);
      function finish(): void {
        clearTimeout(timer);
        clearTimeout(stall);
        sub.unsubscribe();
        resolve(replies);
      }
      try {
        this.connection.publish(subject, body, { reply: inbox });
      } catch {
        // A closed connection gathers nothing, like a bus nobody listens on.
        finish();
      }
    });
  }

  private onReply(msg: Msg): void {
    const id = subjectSequence(msg);
    // NATS answers a request nobody listens to with an empty 503 status message.
    if (msg.data.length === 0) {
      if (msg.headers?.code === NO_RESPONDERS) return this.pending.reject(id, (subject) => new UnavailableError(`no live instance serves ${subject}`));
      const holder = this.receipts ? headerReader(msg)(Header.receipt) : undefined;
      if (holder) return this.pending.heldBy(id, holder);
    }
    this.pending.resolve(id, new ReceivedMessage(msg));
  }

  publish(subject: string, body: Body, headers?: HeaderRecord): void {
    const bytes = bytesOf(body);
    try {
      this.connection.publish(subject, bytes, { headers: encodeHeaders(headers) });
    } catch (error) {
      throw payloadTooLarge(error, this.connection, `message to ${subject}`, bytes.length);
    }
  }

  subscribe(
    subject: string,
    handler: (message: EventMessage) => void,
    options: SubscribeOptions = {},
  ): () => void {
    const sub = this.connection.subscribe(subject, {
      queue: options.queue,
      callback: (err, msg) => {
        // Refused by the server (logged by the hub with the identity): nothing to hand on.
        if (err) return;
        try {
          handler(new ReceivedMessage(msg));
        } catch (error) {
          // Thrown inside nats.js's read loop, it would end the loop and leave the connection
          // deaf while the process looks alive; thrown on its own, it reaches the process's
          // uncaught-exception handler, which logs it and exits so the supervisor revives it.
          setImmediate(() => {
            throw error;
          });
        }
      },
    });
    return options.drain ? () => void sub.drain().catch(() => undefined) : () => sub.unsubscribe();
  }

  listen(subject: string, handle: (request: IncomingRequest) => void, options: { holder?: string } = {}): () => void {
    return this.subscribe(subject, (message) => {
      const msg = (message as ServiceRequest).msg;
      const request = new ServiceRequest(msg, this.connection);
      if (msg.reply && options.holder && request.header(Header.receipt)) this.connection.publish(msg.reply, EMPTY, { headers: encodeHeaders({ [Header.receipt]: options.holder }) });
      handle(request);
      // A keyed partition's owner giving it up still answers what was routed to it before it left.
    }, { drain: true });
  }

  emit(event: OutgoingEvent): Promise<void> {
    return this.events.emit(event);
  }

  consumeEvents(spec: EventConsumerSpec): Promise<EventConsumer> {
    return this.events.consume(spec);
  }

  followEvents(spec: EventFollowSpec): Promise<EventFollow> {
    return followNatsEvents(this.connection, spec);
  }

  /** Makes the hub's event streams, or brings their retention to the settings (the hub does this at start). */
  prepareEvents(prefix: string): Promise<void> {
    return this.events.ensureStreams(prefix, true);
  }

  async probe(actor: string, subject: string): Promise<EndpointPresence> {
    let info: { endpoints?: { subject?: unknown }[] };
    try {
      const reply = await this.connection.request(serviceInfoSubject(actor), "", { timeout: PROBE_TIMEOUT_MS });
      info = JSON.parse(Buffer.from(reply.data).toString("utf8")) as typeof info;
    } catch {
      return "absent";
    }
    // An instance's INFO lists every endpoint it serves (serve adds them all in one turn). A
    // request sent just before their subscriptions reached the server found no responder; the
    // INFO asked a moment later is answered: the endpoint exists, it was a gap.
    const declared = (info.endpoints ?? []).some((e) => typeof e.subject === "string" && matchesFilter(e.subject, subject));
    return declared ? "declares" : "lacks";
  }

  keyValue(bucket: string, options?: KeyValueOptions): Promise<KeyValueBucket> {
    return openKeyValue(this.connection, bucket, { ...(this.replicas ? { replicas: this.replicas } : {}), ...options }, (subject, body, o) => this.request(subject, body, o));
  }

  objects(bucket: string): Promise<ObjectBucket> {
    return openObjects(this.connection, bucket, this.replicas);
  }

  flush(): Promise<void> {
    return this.connection.flush();
  }

  async close(): Promise<void> {
    if (this.connection.isClosed()) return;
    await this.connection.drain();
    this.pending.rejectAll((s) => new UnavailableError(`the bus connection closed before ${s} replied`));
  }
}
