/**
 * Who may do what on a hub's own NATS server, derived from what the hub runs: the subject
 * permissions of each bus identity (NATS user, authenticated by an NKey). Pure: the hub turns
 * them into nats-server's `authorization` block (runtime/hub/servers/bus-identities.ts).
 */
import { bucketsOf, kvStreamName, objectStreamName, type BusUses } from "./buckets.ts";
import { deadEventStreamName, eventConsumerName, eventStreamName, maxDeliveriesAdvisorySubject } from "./events.ts";
import { BuiltinActor } from "./contracts/builtin-actors.ts";
import { INSTANCE_LOST_SUBJECT, SERVICE_API_PREFIX, serviceTracesSubject } from "./subjects.ts";

/**
 * What an identity is:
 * - `owner`: the hub itself and the admin identity the CLI uses; every subject.
 * - `control`: an actor that may also call the hub's control endpoints (the gateway, which
 *   relays admin HTTP requests once they passed its own authorization).
 * - `actor`: any other actor or foreign process: its own subjects, calls and events.
 */
export type BusRole = "owner" | "control" | "actor";

export interface BusIdentity {
  /** An actor's or process's name, or HUB_IDENTITY / ADMIN_IDENTITY. */
  name: string;
  role: BusRole;
  /**
   * The buckets it declared and the event topics it consumes, read from its definition; its
   * own buckets are added (buckets.ts). Undefined: its own buckets only, no event topic.
   */
  uses?: BusUses | undefined;
}

/** The identity of the hub's own process (its control actor, supervision, schedules). */
export const HUB_IDENTITY = "_hub";
/** The identity of the CLI and of whoever holds the hub folder: every right on the bus. */
export const ADMIN_IDENTITY = "_admin";

/** The root of every identity's inbox: a client may read replies only below its own. */
export const INBOX_ROOT = "_INBOX";

/**
 * The inbox prefix (nats.js `inboxPrefix`) of an identity: `_INBOX.<name>`. An identity may
 * subscribe only below its own, so nobody reads another's replies. Shared by the instances of
 * an actor; each connection still makes unique inboxes below it.
 */
export function inboxPrefix(name: string): string {
  return `${INBOX_ROOT}.${name}`;
}

export interface SubjectPermission {
  allow: string[];
  deny?: string[];
}

/** An identity's rights, shaped as nats-server's `permissions` (allow_responses: who may answer what it was asked). */
export interface BusPermissions {
  publish: SubjectPermission;
  subscribe: SubjectPermission;
  /** Replies to the requests it received: at most `max` messages each (the reply, and a receipt before it). */
  allow_responses?: { max: number; expires: string };
}

export interface PermissionOptions {
  prefix: string;
  /** Whether requests ask for receipts (bus.receipts): then an answer is two messages. */
  receipts?: boolean;
}

/**
 * How long after a request its answer may still be sent: the longest a handler may take. The
 * server forgets a request once answered (`max` messages), or after this; it reads 0 as its
 * default of 2 minutes (a reply after 130 s was refused), so a day is spelt out.
 */
export const ANSWER_WITHIN = "24h";

/**
 * JetStream subjects any actor may use: account and stream-name lookups (nats.js asks both
 * while opening a bucket), and the flow-control answers of its own consumers' deliveries.
 * Never `$JS.API.STREAM.CREATE|UPDATE`: a stream's subjects are in the request's body, which
 * permissions cannot see, so a stream made by an actor could capture other actors' requests.
 * The hub makes every bucket an identity may use before its process starts.
 */
const JETSTREAM_COMMON = ["$JS.API.INFO", "$JS.API.STREAM.NAMES"];

/**
 * What nats.js publishes to read and write a bucket's stream (measured against nats-server
 * with the KV and object-store operations ctx.kv and ctx.files make): lookups, direct and
 * stored-message gets, ordered consumers for keys, watches and object chunks, purges of an
 * object's old chunks, the data subjects, acks and flow control. Each names the stream in a
 * fixed place: a wildcard in another place could match a consumer of the same name on
 * another stream (the event stream).
 */
function streamSubjects(stream: string): string[] {
  return [
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.API.STREAM.PURGE.${stream}`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.INFO.${stream}.*`,
    `$JS.API.CONSUMER.DELETE.${stream}.*`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`,
    `$JS.ACK.${stream}.>`,
    `$JS.FC.${stream}.>`,
  ];
}

/** The rights to the buckets an identity may use: its own and the declared ones, nothing else. */
function bucketSubjects(prefix: string, name: string, uses: BusUses | undefined): string[] {
  const { kv, files } = bucketsOf(prefix, name, uses);
  return [
    ...kv.flatMap((bucket) => [...streamSubjects(kvStreamName(bucket)), `$KV.${bucket}.>`]),
    ...files.flatMap((bucket) => [...streamSubjects(objectStreamName(bucket)), `$O.${bucket}.>`]),
  ];
}

/**
 * The rights to consume the event topics an actor subscribes to, through its own durable
 * consumers only: look one up, make or update it with the topic's filter (the filter is part
 * of the subject nats.js sends, so a consumer cannot be pointed at another topic), pull and
 * acknowledge. Reading a stored event by sequence (`STREAM.MSG.GET`) is how an event whose
 * deliveries all went unanswered becomes a dead letter: allowed only to an actor that
 * consumes some topic.
 */
function eventSubjects(prefix: string, name: string, topics: readonly string[]): { publish: string[]; subscribe: string[] } {
  const stream = eventStreamName(prefix);
  const publish = [`$JS.API.STREAM.INFO.${stream}`, `$JS.API.STREAM.INFO.${deadEventStreamName(prefix)}`];
  const subscribe: string[] = [];
  for (const topic of topics) {
    const consumer = eventConsumerName(name, topic);
    publish.push(
      `$JS.API.CONSUMER.INFO.${stream}.${consumer}`,
      `$JS.API.CONSUMER.CREATE.${stream}.${consumer}.${prefix}.events.${topic}`,
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
      `$JS.ACK.${stream}.${consumer}.>`,
    );
    subscribe.push(maxDeliveriesAdvisorySubject(stream, consumer));
  }
  if (topics.length) publish.push(`$JS.API.STREAM.MSG.GET.${stream}`);
  return { publish, subscribe };
}

/**
 * What the gateway needs to follow topics for browsers (`GET /events/<topic>`): ephemeral
 * ordered consumers on the event stream, filtered below `<prefix>.events.`, and their pulls.
 * nats.js names them itself, so the name is a wildcard: the gateway, trusted with the hub's
 * control already, could pull from another actor's durable consumer, but never acknowledge or
 * delete one.
 */
function liveViewSubjects(prefix: string): string[] {
  const stream = eventStreamName(prefix);
  return [`$JS.API.STREAM.INFO.${stream}`, `$JS.API.CONSUMER.CREATE.${stream}.*.${prefix}.events.>`, `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`];
}

/**
 * The rights of `identity`, or undefined for an owner (no restriction). An actor may:
 * subscribe to its own endpoints (`<prefix>.<actor>.>`), its inbox, the discovery subjects
 * its micro service answers, the hub's instance-lost notices and the JetStream advisories of
 * its own event consumers; publish requests to any actor's endpoint but the hub's, events, its
 * own dead letters and discovery requests (but not ask for the trace store's spans, which carry
 * every actor's error messages: the gateway does); use its own and its declared buckets and consume
 * the event topics it subscribes to; and answer requests it received. It may not make,
 * change or delete streams, nor reach another actor's buckets or event consumers.
 */
export function busPermissions(identity: BusIdentity, options: PermissionOptions): BusPermissions | undefined {
  if (identity.role === "owner") return undefined;
  const { prefix } = options;
  const name = identity.name;
  const events = eventSubjects(prefix, name, identity.uses?.topics ?? []);
  return {
    publish: {
      allow: [
        `${prefix}.*.*`,
        `${prefix}.events.>`,
        `${prefix}.events-dead.${name}.>`,
        `${SERVICE_API_PREFIX}.>`,
        ...JETSTREAM_COMMON,
        ...bucketSubjects(prefix, name, identity.uses),
        ...events.publish,
        ...(identity.role === "control" ? liveViewSubjects(prefix) : []),
      ],
      ...(identity.role === "control" ? {} : { deny: [`${prefix}.${BuiltinActor.hub}.>`, serviceTracesSubject()] }),
    },
    subscribe: {
      allow: [
        `${prefix}.${name}.>`,
        `${inboxPrefix(name)}.>`,
        `${SERVICE_API_PREFIX}.*`,
        `${SERVICE_API_PREFIX}.*.${name}`,
        `${SERVICE_API_PREFIX}.*.${name}.*`,
        INSTANCE_LOST_SUBJECT,
        ...events.subscribe,
      ],
    },
    allow_responses: { max: options.receipts ? 2 : 1, expires: ANSWER_WITHIN },
  };
}

/** The role the hub gives an actor or process it runs. */
export function busRoleOf(actor: string): BusRole {
  return actor === BuiltinActor.gateway ? "control" : "actor";
}
