/**
 * The contract between the hub and the processes it runs: environment variables in, and
 * status lines out on file descriptor 3 (one JSON object a line).
 */
export const ProcessEnv = {
  actor: "FUSE_ACTOR",
  module: "FUSE_MODULE",
  natsUrl: "FUSE_NATS_URL",
  /**
   * Path of the file (mode 0600) holding this process's NATS credential: an NKey seed (`SU…`)
   * on the hub's own server, or what `bus.creds` names (a seed or a `.creds` file). Never the
   * secret itself, so it shows in no process listing.
   */
  natsCreds: "FUSE_NATS_CREDS",
  prefix: "FUSE_PREFIX",
  /** On a cluster: the node the process runs on (shown in `$SRV.INFO` as ServiceMeta.node). */
  node: "FUSE_NODE",
  instance: "FUSE_INSTANCE",
  logLevel: "FUSE_LOG_LEVEL",
  heartbeatMs: "FUSE_HEARTBEAT_MS",
  drainMs: "FUSE_DRAIN_MS",
  dbUrl: "FUSE_DB_URL",
  /** Path of the token (0600) the database at FUSE_DB_URL wants: a cluster's sqld, which listens beyond loopback. */
  dbTokenFile: "FUSE_DB_TOKEN_FILE",
  /** With `db.replica`: the folder where the process keeps its embedded replica of the database. */
  dbReplica: "FUSE_DB_REPLICA",
  hubDir: "FUSE_HUB_DIR",
  /** Path of the hub's public key (PEM) with which every actor process verifies `Fuse-Principal`. */
  principalKey: "FUSE_PRINCIPAL_KEY",
  /** Path of the hub's private key (PEM, 0600) with which the gateway signs `Fuse-Principal`; given to the gateway only. */
  principalSigningKey: "FUSE_PRINCIPAL_SIGNING_KEY",
  /** The port a revived gateway listens on again, pinned by the hub after its first start. */
  gatewayPort: "FUSE_GATEWAY_PORT",
  /** "1": requests ask for receipts, so a dead instance's requests fail at once (bus.receipts). */
  receipts: "FUSE_RECEIPTS",
  /** JSON of the actor's `circuit` settings (config): a breaker on each of its calls, per target. */
  circuit: "FUSE_CIRCUIT",
  /** JSON of the hub's `events` settings the actors' subscriptions follow (maxDeliver, backoffMs, ackWaitMs…). */
  events: "FUSE_EVENTS",
  /** With `bus.tls`: the CA file (PEM) the bus's certificate must chain to. */
  natsTlsCa: "FUSE_NATS_TLS_CA",
  /** With `bus.tls.cert`: this process's client certificate file, for a server that asks for one. */
  natsTlsCert: "FUSE_NATS_TLS_CERT",
  /** With `bus.tls.key`: its private key file. */
  natsTlsKey: "FUSE_NATS_TLS_KEY",
  /**
   * "1": load the actor, print what it uses of JetStream (buckets, event topics; one JSON
   * line after DESCRIBE_MARK on stdout) and exit, without connecting: how the hub learns the
   * rights to give its identity before it runs.
   */
  describe: "FUSE_DESCRIBE",
  /** "0": the process keeps no Prometheus figures and answers no `$SRV.METRICS` (the config's `metrics.enabled: false`). */
  metrics: "FUSE_METRICS",
  /** With `telemetry.otlp.url`: where the process exports its spans (OTLP/HTTP); unset, it records none. */
  otlpUrl: "FUSE_OTLP_URL",
  /** With `telemetry.recent`: how many ended spans the process keeps for the dashboard (answered on `$SRV.TRACES`); unset, none. */
  traceRecent: "FUSE_TRACE_RECENT",
  /** `telemetry.sampleRatio`: the share of traces begun in the process that are recorded. */
  traceSampleRatio: "FUSE_TRACE_SAMPLE_RATIO",
  /** `fuse run`: the port of its /livez and /readyz (a pod's probes); `--probe-port` overrides it. */
  probePort: "FUSE_PROBE_PORT",
} as const;

/** Starts the line of an actor's description on stdout (ProcessEnv.describe). */
export const DESCRIBE_MARK = "fuse-uses ";

/** The descriptor on which a child reports `ready` and heartbeats to the hub. */
export const STATUS_FD = 3;

export type StatusLine =
  /** `address`: where the instance serves outside the bus, when it does (the gateway's URL). */
  | { type: "ready"; pid: number; serviceId: string; address?: string }
  /** `lagMs`: how long the main event loop has not ticked, measured off the main thread. */
  | { type: "heartbeat"; lagMs: number; inflight: number }
  | { type: "fatal"; code: string; message: string };

/**
 * A status line as the hub reads it back: parsed JSON from a child that may be broken or of
 * another version, so every field of every kind may be missing and a reader falls back.
 */
export type ReceivedStatusLine = { type?: string } & Partial<Omit<Extract<StatusLine, { type: "ready" }>, "type">> &
  Partial<Omit<Extract<StatusLine, { type: "heartbeat" }>, "type">> &
  Partial<Omit<Extract<StatusLine, { type: "fatal" }>, "type">>;
