import { Cron } from "croner";
import { z } from "zod";
import { LOG_LEVELS } from "../log/index.ts";
import { NAME, NAME_PATTERN, NAME_RULE, placementConstraintSchema } from "../protocol/index.ts";
import { corsConfigSchema } from "./cors-config.ts";
import { eventConfigSchema } from "./event-config.ts";
import { busTlsConfigSchema, gatewayTlsConfigSchema } from "./tls-config.ts";
import { gatewayAuthSchema, rateLimitConfigSchema } from "./gateway-auth-config.ts";
import { gatewayExposureProblem } from "./gateway-exposure.ts";
import { webConfigSchema } from "./web-config.ts";
import { taskmasterConfigSchema } from "./taskmaster-config.ts";
import { kubernetesConfigSchema } from "./kubernetes-config.ts";
import { clusterConfigSchema } from "./cluster-config.ts";
import { metricsConfigSchema } from "./metrics-config.ts";
import { logShipSchema } from "./log-ship-config.ts";
import { telemetryConfigSchema } from "./telemetry-config.ts";

const port = z.number().int().min(0).max(65535);
const ms = z.number().int().positive();

function isCron(expression: string): boolean {
  try {
    new Cron(expression, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

export const autoscaleConfigSchema = z.strictObject({
  min: z.number().int().min(0).max(64).default(1),
  max: z.number().int().min(1).max(64),
  /** Requests in flight per instance the scaler aims at. */
  targetInflight: z.number().positive().default(4),
  /** How often the bus stats are read. */
  intervalMs: ms.default(1000),
  /** Quiet time after a change before scaling up again. */
  upCooldownMs: ms.default(3000),
  /** Quiet time after a change (and idle time) before scaling down. */
  downCooldownMs: ms.default(30_000),
});

/** An actor's circuit breakers: see `CircuitOptions` in the SDK for each field's default. */
export const circuitConfigSchema = z.strictObject({
  errorRate: z.number().gt(0).max(1).optional(),
  timeoutRate: z.number().gt(0).max(1).optional(),
  windowMs: z.number().int().min(1).optional(),
  minRequests: z.number().int().min(1).optional(),
  openMs: z.number().int().min(1).optional(),
  probes: z.number().int().min(1).optional(),
});

export const actorConfigSchema = z.strictObject({
  /** Module path relative to the hub folder. Default: `actors/<name>/index.ts`. */
  module: z.string().min(1).optional(),
  /** Processes to run. 0 keeps the actor known but stopped. */
  instances: z.number().int().min(0).max(64).default(1),
  /** Extra environment variables of the actor's processes. */
  env: z.record(z.string(), z.string()).default({}),
  /** Let the load decide the number of instances, between min and max. */
  autoscale: autoscaleConfigSchema.optional(),
  /** A circuit breaker on every call this actor makes, per target endpoint (a call may override it or say `circuit: false`). */
  circuit: circuitConfigSchema.optional(),
  /** On a cluster: which nodes may run it, or how many on each (`instances` is then the cluster's count). */
  placement: placementConstraintSchema.optional(),
});

export const scheduleConfigSchema = z
  .strictObject({
    // Cron expression: 5 fields, or 6 with seconds first (every 10 s: "0/10 * * * * *").
    cron: z.string().refine(isCron, "expected a cron expression like \"*/5 * * * *\""),
    /** Endpoint to call, `actor.endpoint`. */
    call: z.string().regex(new RegExp(`^${NAME_PATTERN}\\.${NAME_PATTERN}$`), "expected actor.endpoint").optional(),
    /** Task to run (by the taskmaster). */
    task: z.string().min(1).optional(),
    input: z.record(z.string(), z.unknown()).default({}),
    /** IANA time zone of the expression; default the machine's. */
    timezone: z.string().optional(),
  })
  .refine((s) => Boolean(s.call) !== Boolean(s.task), "expected exactly one of call or task");

export const processConfigSchema = z.strictObject({
  /** The program to run (looked up on PATH), e.g. `python3`. */
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  instances: z.number().int().min(0).max(64).default(1),
  env: z.record(z.string(), z.string()).default({}),
  /** Working folder, relative to the hub folder. Default: the hub folder. */
  cwd: z.string().optional(),
  placement: placementConstraintSchema.optional(),
});

export const configSchema = z.strictObject({
  /** Subject prefix: endpoints are `<prefix>.<actor>.<endpoint>`. */
  prefix: z.string().regex(NAME, `expected ${NAME_RULE}`).default("fuse"),
  /** Folder scanned for actors (`<dir>/<name>/index.ts`), relative to the hub folder. */
  actorsDir: z.string().default("actors"),
  /** Whether to run every actor found in `actorsDir`; `false` runs only those listed under `actors`. */
  discover: z.boolean().default(true),
  bus: z
    .strictObject({
      /** An external NATS server; without it `fuse up` starts one. */
      url: z.string().regex(/^(nats|tls|wss?):\/\//, "expected a nats:// URL").optional(),
      /** Port of the started nats-server; 0 picks a free one. */
      port: port.default(0),
      /** Go threads of the started nats-server (GOMAXPROCS). Default: 1 on 2 cores or fewer, else one per core. */
      serverThreads: z.number().int().min(1).max(1024).optional(),
      /** Receipts: a request held by an instance that dies fails at once (OUTCOME_UNKNOWN), not at its deadline; one more message per request. */
      receipts: z.boolean().default(false),
      /** TLS to the outside NATS server of `url`: `{ ca, cert?, key? }`, files relative to the hub folder. */
      tls: busTlsConfigSchema.optional(),
      /**
       * With `url`: the credential the hub and every process it runs connect with, a file
       * holding an NKey seed or a `.creds` (JWT) file, relative to the hub folder. The hub's
       * own server needs none: it makes an identity per process.
       */
      creds: z.string().optional(),
    })
    .superRefine((bus, ctx) => {
      if (bus.creds !== undefined && bus.url === undefined) {
        ctx.addIssue({ code: "custom", path: ["creds"], message: "bus.creds is for an external server (bus.url); the hub's own nats-server gets an identity per process" });
      }
    })
    .superRefine((bus, ctx) => {
      // The hub's own nats-server listens on loopback only; TLS is for a bus reached over a network.
      if (bus.tls && !bus.url) ctx.addIssue({ code: "custom", path: ["tls"], message: "expected bus.url with bus.tls: TLS applies to an outside NATS server, the hub's own listens on loopback only" });
    })
    .prefault({}),
  db: z
    .strictObject({
      /** An external libSQL server (or a `file:` URL); without it `fuse up` starts sqld. */
      url: z.string().optional(),
      port: port.default(0),
      /**
       * On a cluster: the node whose hub runs the cluster's one sqld, listening on `address`;
       * every node's processes use it there (with a token derived from the cluster's secret).
       */
      node: z.string().regex(NAME, `expected ${NAME_RULE}`).optional(),
      /** With `node`: where that node's sqld listens and every node reaches it, `host:port` (an address of that host). */
      address: z.string().regex(/^[^\s/:@]+:\d{1,5}$/, "expected host:port like 10.0.0.1:8081").optional(),
      /**
       * Each actor process reads from an embedded replica of the hub's sqld in `.fuse/replicas/`:
       * reads at file speed, its own writes seen at once, others' within 100 ms; writes and
       * transactions on the primary.
       */
      replica: z.boolean().default(false),
      /**
       * Where the replicas are kept (relative to the hub folder), default `.fuse/replicas`. A replica
       * writes every frame it copies to disk with an fsync; a RAM folder (`/dev/shm/<hub>`) saves
       * that, at the price of memory: one copy of the database per process.
       */
      replicaDir: z.string().optional(),
      /**
       * At start, a database that fails its integrity check is moved aside (kept) and the newest
       * backup that passes the check is restored, with the lost writes' time range logged at
       * error level. false (default): the hub stops and names that backup and the command.
       */
      autoRestore: z.boolean().default(false),
      /** Periodic online backups into `.fuse/backups/`, keeping the newest `keep`. */
      backup: z
        .strictObject({ everyMinutes: z.number().positive(), keep: z.number().int().min(1).default(10) })
        .optional(),
    })
    .superRefine((db, ctx) => {
      if (db.node && db.url) ctx.addIssue({ code: "custom", path: ["node"], message: "expected db.node or db.url, not both: db.url names an outside server, db.node the node that runs the hub's own" });
      if (db.node && !db.address) ctx.addIssue({ code: "custom", path: ["address"], message: "expected db.address (host:port where db.node's sqld listens and every node reaches it) with db.node" });
      if (db.address && !db.node) ctx.addIssue({ code: "custom", path: ["node"], message: "expected db.node (the cluster node that runs sqld) with db.address" });
    })
    .prefault({}),
  gateway: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** HTTP port; 0 picks a free one. */
      port: port.default(0),
      /** Address to listen on; one other than loopback needs authentication (or `auth: none`). */
      host: z.string().default("127.0.0.1"),
      /** HTTPS: `{ cert, key }` (PEM files relative to the hub folder) or `{ selfSigned: true }` (made into .fuse/tls/). */
      tls: gatewayTlsConfigSchema.optional(),
      /** Pages of other origins that may call the gateway from a browser; off without it. */
      cors: corsConfigSchema.optional(),
      /**
       * Credentials the gateway accepts: `{ keys: true }` (API keys of `fuse keys create`),
       * `{ jwt: { secret | jwksUrl, issuer, audience, rolesClaim } }`, or both. Without it, a
       * loopback gateway treats every request as the local admin. `none`: no authentication
       * even on a non-loopback host (warned at every start).
       */
      auth: gatewayAuthSchema.optional(),
      /** Request budgets per principal and per client address, and for failed authentications (10 a minute per address by default). */
      rateLimit: rateLimitConfigSchema.prefault({}),
    })
    .superRefine((gateway, ctx) => {
      const problem = gatewayExposureProblem(gateway.host, gateway.auth);
      if (problem) ctx.addIssue({ code: "custom", path: ["host"], message: problem, input: gateway.host });
    })
    .prefault({}),
  /**
   * Frontends the gateway serves, by path: `{ "/": "public", "/admin": { dir: "apps/admin/dist", spa: true } }`.
   * Without a mount at `/`, the hub's `public/` folder is served there when it exists.
   */
  web: webConfigSchema.default({}),
  logging: z
    .strictObject({
      level: z.enum(LOG_LEVELS).default("info"),
      /** Size at which a log file rotates, e.g. `10M`. */
      maxSize: z.string().regex(/^\d+[KMG]$/, "expected a size like 10M").default("10M"),
      /** Rotated files kept per actor. */
      maxFiles: z.number().int().min(1).default(5),
      /** Outside collectors (Loki, Fluentd) every process's lines are also sent to, from the hub. */
      ship: z.array(logShipSchema).default([]),
    })
    .prefault({}),
  health: z
    .strictObject({
      /** How often each instance reports a heartbeat. */
      heartbeatMs: ms.default(500),
      /** Main-loop lag above which an instance shows as busy. */
      busyLagMs: ms.default(1000),
      /** Main-loop lag after which an instance is hung and restarted (its watchdog still reports). */
      hangTimeoutMs: ms.default(30_000),
      /** Heartbeat silence after which an instance is hung (stopped, frozen): killed and replaced. */
      silenceTimeoutMs: ms.default(3000),
      /** How long an instance may take to become ready. */
      readyTimeoutMs: ms.default(30_000),
    })
    .prefault({}),
  restart: z
    .strictObject({
      initialDelayMs: ms.default(200),
      maxDelayMs: ms.default(30_000),
      /** Restarts within `windowMs` after which an instance is marked failed. */
      maxRestarts: z.number().int().min(1).default(5),
      windowMs: ms.default(60_000),
    })
    .prefault({}),
  /** The hub's durable events: retention of the stream and retries of the subscribers. */
  events: eventConfigSchema.prefault({}),
  /** Longest wait for in-flight requests when an actor stops. */
  drainTimeoutMs: ms.default(10_000),
  actors: z
    .record(z.string().regex(NAME, `actor names are ${NAME_RULE}`), actorConfigSchema.prefault({}))
    .default({}),
  /** Jobs on a cron schedule: call an endpoint or run a task. */
  schedules: z.record(z.string().regex(NAME, `schedule names are ${NAME_RULE}`), scheduleConfigSchema).default({}),
  /** Run retention and payload limits of the taskmaster. */
  taskmaster: taskmasterConfigSchema.prefault({}),
  /** Programs in any language supervised like actors, with the bus URL in their environment. */
  processes: z
    .record(z.string().regex(NAME, `process names are ${NAME_RULE}`), processConfigSchema)
    .default({}),
  /** What `fuse k8s render` adds to this config: namespace, image, volumes, an Ingress. */
  kubernetes: kubernetesConfigSchema.prefault({}),
  /** Prometheus figures: on by default, at the gateway's /metrics and on `metrics.port` when set. */
  metrics: metricsConfigSchema.prefault({}),
  /** OpenTelemetry traces exported over OTLP/HTTP to `telemetry.otlp.url`; off when it is not set. */
  telemetry: telemetryConfigSchema.prefault({}),
  /** This host as one node of a hub on several hosts (NATS cluster, JetStream replicated); absent: one machine. */
  cluster: clusterConfigSchema.optional(),
}).superRefine((config, ctx) => {
  // One database for the whole hub: nodes that each ran their own would each see other data.
  if (config.cluster && !config.db.url && !config.db.node) {
    ctx.addIssue({ code: "custom", path: ["db"], message: "expected db.node and db.address (the node whose hub runs sqld for every node) or db.url (an outside libSQL server): a cluster shares one database" });
  }
  if (!config.cluster && config.db.node) ctx.addIssue({ code: "custom", path: ["db", "node"], message: "expected cluster with db.node (one machine runs its own sqld)" });
});

export type FuseConfig = z.output<typeof configSchema>;
export type ActorConfig = z.output<typeof actorConfigSchema>;
export type ProcessConfig = z.output<typeof processConfigSchema>;
export type ScheduleConfig = z.output<typeof scheduleConfigSchema>;
export type AutoscaleConfig = z.output<typeof autoscaleConfigSchema>;
