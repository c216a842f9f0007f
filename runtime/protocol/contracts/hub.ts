import { z } from "zod";
import { ADMIN_ROLE } from "../access.ts";
import { BuiltinActor } from "./builtin-actors.ts";
import { defineContract } from "./define-contract.ts";
import { actorKeysSchema, keyViewSchema } from "./keyed-admin.ts";
import { actorGuardsSchema } from "./guard-status.ts";

export const INSTANCE_STATES = ["starting", "running", "busy", "stopping", "stopped", "backoff", "failed"] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];
export const ACTOR_STATES = ["running", "starting", "degraded", "busy", "stopped", "failed"] as const;
export type ActorState = (typeof ACTOR_STATES)[number];

export const instanceStatusSchema = z.object({
  index: z.number(),
  pid: z.number().nullable(),
  status: z.enum(INSTANCE_STATES),
  restarts: z.number(),
  startedAt: z.number().nullable(),
  /** Main-loop lag last reported by the instance's watchdog. */
  lagMs: z.number(),
  lastExit: z.object({ code: z.number().nullable(), signal: z.string().nullable(), at: z.number(), reason: z.string() }).optional(),
  /** Keys a keyed actor's instance holds in memory now (absent for other actors). */
  keys: z.number().optional(),
});
export type InstanceStatus = z.infer<typeof instanceStatusSchema>;

export const actorStatusSchema = z.object({
  name: z.string(),
  builtin: z.boolean(),
  /** `actor`: a Fuse actor; `process`: another program supervised like one. */
  kind: z.enum(["actor", "process"]),
  /** The module path (actors) or the command (processes). */
  module: z.string(),
  status: z.enum(ACTOR_STATES),
  desired: z.number(),
  running: z.number(),
  restarts: z.number(),
  pids: z.array(z.number()),
  /** Ms since the oldest running instance started; null when none runs. */
  uptimeMs: z.number().nullable(),
  requests: z.number(),
  errors: z.number(),
  meanMs: z.number(),
  /** Keys held in memory over every instance, for a keyed actor (absent for other actors). */
  keys: z.number().optional(),
  /** Bulkheads (OVERLOADED refusals) and circuits as a caller (CIRCUIT_OPEN refusals); absent when it has neither. */
  guards: actorGuardsSchema.optional(),
  instances: z.array(instanceStatusSchema),
  /** The cluster node these instances run on; absent on a single-machine hub. */
  node: z.string().optional(),
});
export type ActorStatus = z.infer<typeof actorStatusSchema>;

export const scheduleStatusSchema = z.object({
  name: z.string(),
  cron: z.string(),
  /** `call actor.endpoint` or `task name`. */
  target: z.string(),
  /** Epoch ms of the next run; null when there is none. */
  nextRun: z.number().nullable(),
  lastRun: z.object({ at: z.number(), outcome: z.enum(["ok", "failed"]), durationMs: z.number(), error: z.string().optional() }).optional(),
  runs: z.number(),
  failures: z.number(),
  /** Runs not started because the previous one was still running. */
  skipped: z.number(),
  running: z.boolean(),
});
export type ScheduleStatus = z.infer<typeof scheduleStatusSchema>;

export const hubInfoSchema = z.object({
  pid: z.number(),
  dir: z.string(),
  prefix: z.string(),
  natsUrl: z.string(),
  /** TLS files (absolute paths) to reach the bus with, when `bus.tls` is configured. */
  natsTls: z.object({ ca: z.string(), cert: z.string().optional(), key: z.string().optional() }).optional(),
  dbUrl: z.string().optional(),
  gatewayUrl: z.string().optional(),
  startedAt: z.number(),
  version: z.string(),
});
export type HubInfo = z.infer<typeof hubInfoSchema>;

/** A process as recorded for later: a pid is only trusted while its start time and command line still match. */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot (`/proc/<pid>/stat`). */
  startTime: number;
  command: string;
}

/** `.fuse/state.json`: how other commands find the running hub of a folder. */
export interface HubState extends HubInfo {
  /** PIDs of the servers the hub started (nats-server, sqld). */
  servicePids: number[];
  /** The hub and its servers as they were when written, to tell them from a reused pid and clean up after a killed hub. */
  processes?: { hub?: ProcessIdentity; services: ProcessIdentity[] };
  /** Set while the hub's own nats-server is down and being revived (epoch ms it went down). */
  busDownSince?: number;
  /** Path of the admin identity's NATS credential (a 0600 file), with which the CLI connects. */
  natsCreds?: string;
  /** Set when this hub is one node of a cluster (`cluster:` in fuse.yaml). */
  cluster?: { name: string; node: string };
}

export const STATE_FILE = ".fuse/state.json";

const byName = z.object({ name: z.string().min(1) });
/** Control actions need the admin role and are logged with who asked; reads need any credential. */
const admin = { access: { roles: [ADMIN_ROLE] }, audit: true } as const;
/** `node`: on a cluster, act on that node's instances only (any node's hub passes the request on). */
const onNode = byName.extend({ node: z.string().min(1).optional() });
const control = (description: string) => ({ description, input: onNode, output: actorStatusSchema, ...admin });

/** The `hub` actor's control endpoints (`<prefix>.hub.<endpoint>`), as the hub serves them and its clients call them. */
export const hubContract = defineContract(BuiltinActor.hub, {
  list: {
    description: "Every actor with its instances, restarts and request figures; on a cluster every live node's, each row naming its node (`local: true`: this node's only)",
    input: z.object({ local: z.boolean().optional() }),
    output: z.object({ actors: z.array(actorStatusSchema) }),
  },
  start: control("Starts a stopped actor"),
  stop: control("Stops an actor after draining its requests"),
  restart: control("Restarts an actor one instance at a time"),
  scale: {
    description: "Sets the number of instances of an actor",
    input: z.object({ name: z.string().min(1), instances: z.number().int().min(0).max(64) }),
    output: actorStatusSchema,
    ...admin,
  },
  info: { description: "Where the hub's bus, database and gateway are", input: z.object({}), output: hubInfoSchema },
  logs: {
    description: "The latest log lines of an actor (JSON lines)",
    input: z.object({ name: z.string().min(1), lines: z.number().int().min(1).max(500).default(100) }),
    output: z.object({ lines: z.array(z.string()) }),
  },
  schedules: {
    description: "Every schedule with its next run and how the last one went",
    input: z.object({}),
    output: z.object({ schedules: z.array(scheduleStatusSchema) }),
  },
  keys: {
    description: "A keyed actor's keys held in memory, per instance, with the partitions each owns",
    input: byName,
    output: actorKeysSchema,
    ...admin,
  },
  key: {
    description: "One key of a keyed actor: its stored state, version and reminders, and which instance owns it",
    input: z.object({ name: z.string().min(1), key: z.string().min(1) }),
    output: keyViewSchema,
    ...admin,
  },
  shutdown: { description: "Stops every actor and the hub", input: z.object({}), output: z.object({ stopping: z.boolean() }), ...admin },
});
