/**
 * Who may do what on a hub's own NATS server, derived from what the hub runs: the subject
 * permissions of each bus identity (NATS user, authenticated by an NKey). Pure: the hub turns
 * them into nats-server's `authorization` block (runtime/hub/servers/bus-identities.ts).
 */
import { deadEventStreamName, eventStreamName } from "./events.ts";
import { BuiltinActor } from "./contracts/builtin-actors.ts";
import { INSTANCE_LOST_SUBJECT, SERVICE_API_PREFIX } from "./subjects.ts";

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

/** JetStream, KV and object-store subjects every actor uses (ctx.kv, ctx.files, events). */
const JETSTREAM_PUBLISH = ["$JS.API.>", "$JS.ACK.>", "$JS.FC.>", "$KV.>", "$O.>"];

/**
 * The rights of `identity`, or undefined for an owner (no restriction). An actor may:
 * subscribe to its own endpoints (`<prefix>.<actor>.>`), its inbox, the discovery subjects
 * its micro service answers, the hub's instance-lost notices and the JetStream advisories of
 * the event stream; publish requests to any actor's endpoint but the hub's, events, its own
 * dead letters, discovery requests and what JetStream needs; and answer requests it received.
 * It may not delete or rewrite the hub's event streams, nor delete their consumers.
 */
export function busPermissions(identity: BusIdentity, options: PermissionOptions): BusPermissions | undefined {
  if (identity.role === "owner") return undefined;
  const { prefix } = options;
  const name = identity.name;
  const events = [eventStreamName(prefix), deadEventStreamName(prefix)];
  // Nor may it remove another actor's event subscription (a durable consumer); `fuse events replay` (admin) does.
  const publishDeny = events.flatMap((stream) => [
    ...["DELETE", "UPDATE", "PURGE", "MSG.DELETE"].map((verb) => `$JS.API.STREAM.${verb}.${stream}`),
    `$JS.API.CONSUMER.DELETE.${stream}.>`,
  ]);
  if (identity.role !== "control") publishDeny.push(`${prefix}.${BuiltinActor.hub}.>`);
  return {
    publish: {
      allow: [
        `${prefix}.*.*`,
        `${prefix}.events.>`,
        `${prefix}.events-dead.${name}.>`,
        `${SERVICE_API_PREFIX}.>`,
        ...JETSTREAM_PUBLISH,
      ],
      deny: publishDeny,
    },
    subscribe: {
      allow: [
        `${prefix}.${name}.>`,
        `${inboxPrefix(name)}.>`,
        `${SERVICE_API_PREFIX}.*`,
        `${SERVICE_API_PREFIX}.*.${name}`,
        `${SERVICE_API_PREFIX}.*.${name}.*`,
        INSTANCE_LOST_SUBJECT,
        `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${eventStreamName(prefix)}.>`,
      ],
    },
    allow_responses: { max: options.receipts ? 2 : 1, expires: ANSWER_WITHIN },
  };
}

/** The role the hub gives an actor or process it runs. */
export function busRoleOf(actor: string): BusRole {
  return actor === BuiltinActor.gateway ? "control" : "actor";
}
