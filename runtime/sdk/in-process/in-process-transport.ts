import {
  PendingRequests,
  matchesFilter,
  type Body,
  type BusStatus,
  type EndpointPresence,
  type EndpointSpec,
  type EventMessage,
  type GatherOptions,
  type HeaderRecord,
  type IncomingRequest,
  type KeyValueBucket,
  type KeyValueOptions,
  type ObjectBucket,
  type Reply,
  type RequestOptions,
  type ServedService,
  type ServiceSpec,
  type SubscribeOptions,
  type Transport,
  eventSettings,
  type EventConsumer,
  type EventConsumerSpec,
  type EventFollow,
  type EventFollowSpec,
  type EventSettings,
  type OutgoingEvent,
} from "../../bus/index.ts";
import { InProcessEvents } from "./in-process-events.ts";
import { UnavailableError } from "../../errors/index.ts";
import { SERVICE_API_PREFIX, eventSubject } from "../../protocol/index.ts";
import { memoryKeyValue, memoryObjects } from "../stores/in-process-stores.ts";

const encoder = new TextEncoder();
const toBytes = (body: Body) => (typeof body === "string" ? encoder.encode(body) : body);

interface Subscription {
  pattern: string[];
  queue: string | undefined;
  handler(message: EventMessage): void;
}

/** NATS subject matching: `*` matches one token, `>` the rest. */
function matches(pattern: string[], subject: string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === ">") return subject.length > i;
    if (i >= subject.length || (pattern[i] !== "*" && pattern[i] !== subject[i])) return false;
  }
  return pattern.length === subject.length;
}

// The second token of an event subject: `eventSubject("p", "t")` is `p.events.t`.
const EVENTS_TOKEN = eventSubject("p", "t").split(".")[1];

let serviceSeq = 0;

/** The `$SRV.INFO` (or `PING`) answer of a NATS micro service, for a service served in-process. */
function serviceInfo(id: string, spec: ServiceSpec, verb: "INFO" | "PING"): object {
  const base = { name: spec.name, id, version: spec.version, metadata: spec.metadata };
  if (verb === "PING") return { type: "io.nats.micro.v1.ping_response", ...base };
  return {
    type: "io.nats.micro.v1.info_response",
    ...base,
    description: spec.description ?? "",
    endpoints: spec.endpoints.map((e) => ({ name: e.name, subject: e.subject, queue_group: spec.name, metadata: e.metadata })),
  };
}

/**
 * The in-process back-end for unit tests: the same transport contract as NATS, with bodies
 * still encoded to bytes, so actors see the same validation and error shapes without a bus.
 */
export class InProcessTransport implements Transport {
  private readonly endpoints = new Map<string, { service: string; spec: EndpointSpec }[]>();
  private readonly specs = new Map<string, ServiceSpec>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly pending = new PendingRequests<Reply>();
  private turn = 0;
  /** The hub's events, kept in memory (`events.deadLetters` holds those given up). */
  readonly events: InProcessEvents;

  constructor(options: { events?: Partial<EventSettings> } = {}) {
    this.events = new InProcessEvents(eventSettings(options.events));
  }

  async serve(spec: ServiceSpec): Promise<ServedService> {
    const id = `inproc-${++serviceSeq}`;
    this.specs.set(id, spec);
    for (const endpoint of spec.endpoints) {
      const list = this.endpoints.get(endpoint.subject) ?? [];
      list.push({ service: id, spec: endpoint });
      this.endpoints.set(endpoint.subject, list);
    }
    return {
      id,
      stop: async () => {
        this.specs.delete(id);
        for (const [subject, list] of this.endpoints) {
          this.endpoints.set(subject, list.filter((e) => e.service !== id));
        }
      },
    };
  }

  request(subject: string, body: Body, options: RequestOptions): Promise<Reply> {
    const targets = this.endpoints.get(subject);
    if (!targets?.length) {
      return Promise.reject(new UnavailableError(`no live instance serves ${subject}`));
    }
    const target = targets[this.turn++ % targets.length]!;
    const { id, promise } = this.pending.add(subject, options.timeoutMs);
    const headers = { ...options.headers };
    queueMicrotask(() =>
      target.spec.handle({
        subject,
        data: toBytes(body),
        header: (name) => headers[name] || undefined,
        respond: (reply, replyHeaders = {}) =>
          this.pending.resolve(id, { data: toBytes(reply), header: (name) => replyHeaders[name] || undefined }),
      }),
    );
    return promise;
  }

  /**
   * Answers `$SRV.INFO` and `$SRV.PING` (optionally `.<name>`) for the services served here, in
   * the shape of the NATS micro-service API; any other subject is asked of every endpoint
   * instance serving it.
   */
  async gather(subject: string, body: Body, options: GatherOptions): Promise<Reply[]> {
    const [api, verb, name] = subject.split(".");
    if (api === SERVICE_API_PREFIX && (verb === "INFO" || verb === "PING")) {
      const replies = [...this.specs]
        .filter(([, spec]) => name === undefined || spec.name === name)
        .map(([id, spec]) => ({ data: toBytes(JSON.stringify(serviceInfo(id, spec, verb))), header: () => undefined }));
      return replies.slice(0, options.max);
    }
    const targets = this.endpoints.get(subject) ?? [];
    const answers = targets.slice(0, options.max).map(
      (target) =>
        new Promise<Reply | undefined>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), options.timeoutMs);
          target.spec.handle({
            subject,
            data: toBytes(body),
            header: () => undefined,
            respond: (reply, replyHeaders = {}) => {
              clearTimeout(timer);
              resolve({ data: toBytes(reply), header: (h) => replyHeaders[h] || undefined });
            },
          });
        }),
    );
    return (await Promise.all(answers)).filter((r): r is Reply => r !== undefined);
  }

  emit(event: OutgoingEvent): Promise<void> {
    return this.events.emit(event);
  }

  consumeEvents(spec: EventConsumerSpec): Promise<EventConsumer> {
    return this.events.consume(spec);
  }

  followEvents(spec: EventFollowSpec): Promise<EventFollow> {
    return this.events.follow(spec);
  }

  publish(subject: string, body: Body, headers: HeaderRecord = {}): void {
    const tokens = subject.split(".");
    // A plain publish on `<prefix>.events.<topic>` is stored too, as JetStream's stream captures it.
    if (tokens[1] === EVENTS_TOKEN && tokens.length > 2) this.events.store(subject, toBytes(body), headers);
    const message: EventMessage = { subject, data: toBytes(body), header: (name) => headers[name] || undefined };
    const groups = new Map<string, Subscription[]>();
    for (const sub of this.subscriptions) {
      if (!matches(sub.pattern, tokens)) continue;
      if (!sub.queue) queueMicrotask(() => sub.handler(message));
      else groups.set(sub.queue, [...(groups.get(sub.queue) ?? []), sub]);
    }
    for (const members of groups.values()) {
      const chosen = members[this.turn++ % members.length]!;
      queueMicrotask(() => chosen.handler(message));
    }
    const direct = this.endpoints.get(subject);
    if (direct?.length) {
      const target = direct[this.turn++ % direct.length]!;
      queueMicrotask(() => target.spec.handle({ subject, data: message.data, header: message.header, respond: () => {} }));
    }
  }

  listen(subject: string, handle: (request: IncomingRequest) => void): () => void {
    const entry = { service: `listen-${++serviceSeq}`, spec: { name: subject, subject, metadata: {}, handle } };
    this.endpoints.set(subject, [...(this.endpoints.get(subject) ?? []), entry]);
    return () => this.endpoints.set(subject, (this.endpoints.get(subject) ?? []).filter((e) => e !== entry));
  }

  subscribe(subject: string, handler: (message: EventMessage) => void, options: SubscribeOptions = {}): () => void {
    const sub: Subscription = { pattern: subject.split("."), queue: options.queue, handler };
    this.subscriptions.add(sub);
    return () => this.subscriptions.delete(sub);
  }

  async probe(actor: string, subject: string): Promise<EndpointPresence> {
    const live = [...this.specs.values()].filter((spec) => spec.name === actor);
    if (live.length === 0) return "absent";
    return live.some((spec) => spec.endpoints.some((e) => matchesFilter(e.subject, subject))) ? "declares" : "lacks";
  }

  private readonly createdAt = Date.now();

  /** The in-process bus cannot go down. */
  busStatus(): BusStatus {
    return { up: true, since: this.createdAt };
  }

  private readonly buckets = new Map<string, Promise<KeyValueBucket>>();
  private readonly objectBuckets = new Map<string, Promise<ObjectBucket>>();

  keyValue(bucket: string, options?: KeyValueOptions): Promise<KeyValueBucket> {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, Promise.resolve(memoryKeyValue(options)));
    return this.buckets.get(bucket)!;
  }

  objects(bucket: string): Promise<ObjectBucket> {
    if (!this.objectBuckets.has(bucket)) this.objectBuckets.set(bucket, Promise.resolve(memoryObjects()));
    return this.objectBuckets.get(bucket)!;
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.pending.rejectAll((s) => new UnavailableError(`the in-process bus closed before ${s} replied`));
  }
}
