import { DeliverPolicy, NatsError, type ConsumerConfig, type ConsumerInfo, type JetStreamManager, type NatsConnection } from "nats";
import { NotFoundError } from "../../errors/index.ts";
import {
  ErrorCode,
  Header,
  allDeadEventsSubject,
  allEventsSubject,
  deadEventStreamName,
  eventStreamName,
  eventSubject,
} from "../../protocol/index.ts";

const STREAM_NOT_FOUND = 10059;

export interface EventStreamSummary {
  name: string;
  kind: "events" | "dead";
  messages: number;
  bytes: number;
  /** Epoch ms of the oldest and newest stored event; undefined when empty. */
  oldest?: number;
  newest?: number;
}

export interface EventSubscriptionSummary {
  actor: string;
  topic: string;
  consumer: string;
  /** Stored events it has not been given yet. */
  pending: number;
  /** Given to an instance and not yet acknowledged. */
  unacked: number;
  /** Given more than once (failures, crashes). */
  redelivered: number;
}

export interface EventsOverview {
  streams: EventStreamSummary[];
  /** Stored events per topic (the subject after `<prefix>.events.`). */
  topics: { topic: string; messages: number }[];
  subscriptions: EventSubscriptionSummary[];
}

/** One stored event (or dead letter) as `fuse events tail` shows it. */
export interface TailedEvent {
  topic: string;
  seq: number;
  /** Epoch ms it was stored. */
  storedAt: number;
  traceId?: string;
  caller?: string;
  /** The JSON payload, or the text when it is not JSON. */
  payload: unknown;
}

const time = (iso: string | undefined) => (iso && !iso.startsWith("0001") ? Date.parse(iso) : undefined);

function decode(data: Uint8Array): unknown {
  const text = Buffer.from(data).toString("utf8");
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/** The actor and topic of an event consumer, from its description (`<actor> <topic>`). */
function subscriptionOf(info: ConsumerInfo): { actor: string; topic: string } | undefined {
  const [actor, topic] = (info.config.description ?? "").split(" ");
  return actor && topic ? { actor, topic } : undefined;
}

/**
 * What operators do with a hub's events (`fuse events`): look at the streams and the actors'
 * subscriptions, follow events as they are stored, and replay stored events to subscribers.
 */
export class EventAdmin {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
  ) {}

  private async stream(jsm: JetStreamManager, name: string) {
    try {
      return await jsm.streams.info(name, { subjects_filter: ">" });
    } catch (error) {
      if (error instanceof NatsError && error.api_error?.err_code === STREAM_NOT_FOUND) return undefined;
      throw error;
    }
  }

  private async subscriptions(jsm: JetStreamManager): Promise<ConsumerInfo[]> {
    const out: ConsumerInfo[] = [];
    if (!(await this.stream(jsm, eventStreamName(this.prefix)))) return out;
    for await (const info of jsm.consumers.list(eventStreamName(this.prefix))) if (info.config.durable_name && subscriptionOf(info)) out.push(info);
    return out;
  }

  async overview(): Promise<EventsOverview> {
    const jsm = await this.nc.jetstreamManager();
    const overview: EventsOverview = { streams: [], topics: [], subscriptions: [] };
    const eventsPrefix = allEventsSubject(this.prefix).slice(0, -1);
    for (const [name, kind] of [
      [eventStreamName(this.prefix), "events"],
      [deadEventStreamName(this.prefix), "dead"],
    ] as const) {
      const info = await this.stream(jsm, name);
      if (!info) continue;
      overview.streams.push({ name, kind, messages: info.state.messages, bytes: info.state.bytes, oldest: time(info.state.first_ts), newest: time(info.state.last_ts) });
      if (kind === "events") {
        for (const [subject, messages] of Object.entries(info.state.subjects ?? {})) overview.topics.push({ topic: subject.slice(eventsPrefix.length), messages });
      }
    }
    overview.topics.sort((a, b) => a.topic.localeCompare(b.topic));
    for (const info of await this.subscriptions(jsm)) {
      const { actor, topic } = subscriptionOf(info)!;
      overview.subscriptions.push({ actor, topic, consumer: info.name, pending: info.num_pending, unacked: info.num_ack_pending, redelivered: info.num_redelivered });
    }
    overview.subscriptions.sort((a, b) => a.actor.localeCompare(b.actor) || a.topic.localeCompare(b.topic));
    return overview;
  }

  /**
   * Calls `onEvent` for each event stored on `topic` (default: every topic; wildcards allowed)
   * from `since` on (default: from now), or for each dead letter with `dead`. Resolves with a
   * stop function once following.
   */
  async tail(onEvent: (event: TailedEvent) => void, options: { topic?: string; since?: Date; dead?: boolean } = {}): Promise<() => Promise<void>> {
    const stream = options.dead ? deadEventStreamName(this.prefix) : eventStreamName(this.prefix);
    const all = options.dead ? allDeadEventsSubject(this.prefix) : allEventsSubject(this.prefix);
    const base = all.slice(0, -1);
    const jsm = await this.nc.jetstreamManager();
    if (!(await this.stream(jsm, stream))) throw new NotFoundError(ErrorCode.NOT_FOUND, `no event stream ${stream} on this bus yet: nothing was emitted and no actor subscribed`);
    const consumer = await this.nc.jetstream().consumers.get(stream, {
      filterSubjects: options.topic ? `${base}${options.topic}` : all,
      ...(options.since ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: options.since.toISOString() } : { deliver_policy: DeliverPolicy.New }),
    });
    const messages = await consumer.consume();
    void (async () => {
      for await (const m of messages) {
        onEvent({
          topic: m.subject.slice(base.length),
          seq: m.seq,
          storedAt: Math.floor(m.info.timestampNanos / 1e6),
          traceId: m.headers?.get(Header.traceId) || undefined,
          caller: m.headers?.get(Header.caller) || undefined,
          payload: decode(m.data),
        });
      }
    })();
    return async () => {
      await messages.close();
    };
  }

  /**
   * Delivers again every stored event of `topic` from `since` on, to each actor subscribed to
   * it (or only `actor`): its durable subscription is made anew, starting at `since`. Events
   * it already handled after `since` come again; the running instances go on from there.
   * @throws NOT_FOUND when no actor (or not `actor`) subscribes to the topic.
   */
  async replay(topic: string, since: Date, actor?: string): Promise<EventSubscriptionSummary[]> {
    const jsm = await this.nc.jetstreamManager();
    const stream = eventStreamName(this.prefix);
    const all = await this.subscriptions(jsm);
    const chosen = all.filter((info) => subscriptionOf(info)!.topic === topic && (!actor || subscriptionOf(info)!.actor === actor));
    if (!chosen.length) {
      const known = [...new Set(all.map((i) => `${subscriptionOf(i)!.actor} ${subscriptionOf(i)!.topic}`))].sort();
      throw new NotFoundError(ErrorCode.NOT_FOUND, `no ${actor ? `actor "${actor}" ` : "actor "}subscribes to ${JSON.stringify(topic)} (subscriptions: ${known.join(", ") || "none"})`);
    }
    const out: EventSubscriptionSummary[] = [];
    for (const info of chosen) {
      // JetStream cannot move a durable consumer back: it is made again under the same name,
      // with the same settings, starting at `since`; its instances' pulls carry on with it.
      const config: ConsumerConfig = { ...info.config, deliver_policy: DeliverPolicy.StartTime, opt_start_time: since.toISOString() };
      delete (config as Partial<ConsumerConfig>).opt_start_seq;
      await jsm.consumers.delete(stream, info.name);
      const made = await jsm.consumers.add(stream, { ...config, filter_subject: eventSubject(this.prefix, topic) });
      const { actor: who, topic: what } = subscriptionOf(made)!;
      out.push({ actor: who, topic: what, consumer: made.name, pending: made.num_pending, unacked: made.num_ack_pending, redelivered: made.num_redelivered });
    }
    return out;
  }
}
