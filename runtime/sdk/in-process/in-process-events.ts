import {
  DEFAULT_EVENT_CONCURRENCY,
  afterFailure,
  deadLetter,
  type DeliveredEvent,
  type EventConsumer,
  type EventConsumerSpec,
  type EventFollow,
  type EventFollowSpec,
  type EventSettings,
  type OutgoingEvent,
} from "../../bus/index.ts";
import { toFuseError } from "../../errors/index.ts";
import { ErrorCode, eventConsumerName, eventSubject, type DeadLetter } from "../../protocol/index.ts";

interface StoredEvent {
  seq: number;
  subject: string;
  data: Uint8Array;
  headers: Record<string, string>;
  id: string;
  storedAt: number;
}

interface Member {
  spec: EventConsumerSpec;
  running: Set<Promise<void>>;
  limit: number;
}

/** One actor's durable subscription to one topic: what it has still to handle, shared by its instances. */
interface Group {
  pattern: string[];
  /** Waiting for a free instance (kept while none is subscribed). */
  queue: StoredEvent[];
  attempts: Map<number, number>;
  members: Member[];
  turn: number;
  settings: EventSettings;
}

const encoder = new TextEncoder();

/** NATS subject matching: `*` matches one token, `>` the rest. */
export function subjectMatches(pattern: string[], subject: string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === ">") return subject.length > i;
    if (i >= subject.length || (pattern[i] !== "*" && pattern[i] !== subject[i])) return false;
  }
  return pattern.length === subject.length;
}

/**
 * Durable events in memory, for the in-process bus: the same observable rules as on JetStream.
 * Each subscribing actor gets each event once (its instances take turns), a failed handler is
 * retried after the backoff up to `maxDeliver` attempts and then given up to `deadLetters`, and
 * events wait while an actor has no instance subscribed. Nothing survives the process.
 */
export class InProcessEvents {
  private readonly log: StoredEvent[] = [];
  private readonly groups = new Map<string, Group>();
  private readonly followers = new Set<(stored: StoredEvent) => void>();
  /** Events given up, newest last, as the dead-letter stream would hold them. */
  readonly deadLetters: DeadLetter[] = [];

  constructor(private readonly settings: EventSettings) {}

  emit(event: OutgoingEvent): Promise<void> {
    this.store(eventSubject(event.prefix, event.topic), typeof event.body === "string" ? encoder.encode(event.body) : event.body, event.headers, event.id);
    return Promise.resolve();
  }

  /** Stores a message published on an event subject (by `emit`, or a plain publish) and hands it to every subscription. */
  store(subject: string, data: Uint8Array, headers: Record<string, string>, id?: string): void {
    const stored: StoredEvent = { seq: this.log.length + 1, subject, data, headers, id: id ?? `in-process:${this.log.length + 1}`, storedAt: Date.now() };
    this.log.push(stored);
    const tokens = subject.split(".");
    for (const follower of this.followers) follower(stored);
    for (const group of this.groups.values()) {
      if (!subjectMatches(group.pattern, tokens)) continue;
      group.queue.push(stored);
      this.pump(group);
    }
  }

  async consume(spec: EventConsumerSpec): Promise<EventConsumer> {
    const key = `${spec.prefix}/${eventConsumerName(spec.actor, spec.topic)}`;
    let group = this.groups.get(key);
    if (!group) {
      const pattern = eventSubject(spec.prefix, spec.topic).split(".");
      const from = spec.from ?? "new";
      const backlog = from === "new" ? [] : this.log.filter((e) => subjectMatches(pattern, e.subject.split(".")) && (from === "all" || e.storedAt >= from.getTime()));
      group = { pattern, queue: backlog, attempts: new Map(), members: [], turn: 0, settings: this.settings };
      this.groups.set(key, group);
    }
    const member: Member = { spec, running: new Set(), limit: spec.concurrency ?? DEFAULT_EVENT_CONCURRENCY };
    group.members.push(member);
    const g = group;
    queueMicrotask(() => this.pump(g));
    return {
      inflight: () => member.running.size,
      async stop(timeoutMs = 10_000) {
        g.members = g.members.filter((m) => m !== member);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.allSettled([...member.running]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
        clearTimeout(timer);
      },
    };
  }

  /** The stored events of a topic after `afterSeq` (none without it), then each one as it is stored. */
  follow(spec: EventFollowSpec): Promise<EventFollow> {
    const pattern = eventSubject(spec.prefix, spec.topic).split(".");
    const base = eventSubject(spec.prefix, "").length;
    const give = (stored: StoredEvent) => {
      if (!subjectMatches(pattern, stored.subject.split("."))) return;
      spec.onEvent({ topic: stored.subject.slice(base), seq: stored.seq, storedAt: stored.storedAt, data: stored.data, header: (name) => stored.headers[name] || undefined });
    };
    const after = spec.afterSeq;
    if (after !== undefined) for (const stored of this.log) if (stored.seq > after) give(stored);
    this.followers.add(give);
    return Promise.resolve({
      stop: () => {
        this.followers.delete(give);
        return Promise.resolve();
      },
    });
  }

  private pump(group: Group): void {
    while (group.queue.length) {
      const free = group.members.filter((m) => m.running.size < m.limit);
      if (!free.length) return;
      const member = free[group.turn++ % free.length]!;
      this.deliver(group, member, group.queue.shift()!);
    }
  }

  private deliver(group: Group, member: Member, stored: StoredEvent): void {
    const attempt = (group.attempts.get(stored.seq) ?? 0) + 1;
    group.attempts.set(stored.seq, attempt);
    const event: DeliveredEvent = {
      subject: stored.subject,
      data: stored.data,
      header: (name) => stored.headers[name] || undefined,
      id: stored.id,
      seq: stored.seq,
      attempt,
      storedAt: stored.storedAt,
    };
    const run = (async () => {
      try {
        await member.spec.handle(event);
        group.attempts.delete(stored.seq);
      } catch (error) {
        const next = afterFailure(attempt, group.settings, toFuseError(error).code === ErrorCode.BAD_REQUEST);
        if ("retryInMs" in next) {
          setTimeout(() => {
            group.queue.push(stored);
            this.pump(group);
          }, next.retryInMs).unref();
          return;
        }
        group.attempts.delete(stored.seq);
        this.deadLetters.push(deadLetter(member.spec.actor, member.spec.topic, event, error));
        member.spec.onDead?.(event, error);
      }
    })();
    member.running.add(run);
    void run.finally(() => {
      member.running.delete(run);
      this.pump(group);
    });
  }
}
