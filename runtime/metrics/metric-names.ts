/**
 * The names Fuse's metrics carry, following Prometheus's conventions: a `fuse_` prefix, base
 * units (seconds, bytes) in the name, `_total` on counters. Labels are bounded: actor,
 * actor_instance, endpoint and route come from the code and config, `code` from the error-code list
 * (and the codes an endpoint declares), task and step from the task files, a statement's kind
 * from a closed list; never a trace id, SQL text or anything a client sends.
 */
export const MetricName = {
  /** Requests an endpoint finished, by outcome (`OK` or the error code). Counter. */
  requests: "fuse_requests_total",
  /** How long an endpoint took per request, input check to reply sent. Histogram, seconds. */
  requestDuration: "fuse_request_duration_seconds",
  /** Calls an actor made (`ctx.call`), by target and outcome. Counter. */
  calls: "fuse_calls_total",
  /** How long an actor's calls took, as the caller saw them. Histogram, seconds. */
  callDuration: "fuse_call_duration_seconds",
  /** The gateway's HTTP requests, by route pattern, method and status. Counter. */
  httpRequests: "fuse_http_requests_total",
  /** How long the gateway took per HTTP request, to the response's head. Histogram, seconds. */
  httpDuration: "fuse_http_request_duration_seconds",
  /** Restarts of an instance the hub made after it died or hung. Gauge (the hub's count). */
  instanceRestarts: "fuse_instance_restarts",
  /** 1 for an instance's current status (starting, running, busy, backoff, failed…), a series per status. Gauge. */
  instanceStatus: "fuse_instance_status",
  /** Main-loop lag the instance's watchdog last reported. Gauge, seconds. */
  instanceLag: "fuse_instance_lag_seconds",
  /** Log lines a collector of `logging.ship` accepted, by target. Counter. */
  logLinesShipped: "fuse_log_lines_shipped_total",
  /** Log lines given up for a collector: over the buffer's bound while it was away, or refused. Counter. */
  logLinesDropped: "fuse_log_lines_dropped_total",
  /** Log lines held for a collector now, waiting for it. Gauge. */
  logLinesBuffered: "fuse_log_lines_buffered",
  /** Task runs that ended, by task and status (succeeded, failed, cancelled, compensated, compensation_failed). Counter. */
  taskRuns: "fuse_task_runs_total",
  /** How long a task run took, start to end. Histogram (TASK_BUCKETS), seconds. */
  taskRunDuration: "fuse_task_run_duration_seconds",
  /** How long a task's step took, start to end, retries and waits included; by task and step. Histogram (TASK_BUCKETS), seconds. */
  taskStepDuration: "fuse_task_step_duration_seconds",
  /** `ctx.db` statements an actor ran, by kind (db-kind.ts) and outcome code. Counter. */
  dbStatements: "fuse_db_statements_total",
  /** How long a `ctx.db` statement took as the actor saw it, by kind. Histogram, seconds. */
  dbStatementDuration: "fuse_db_statement_duration_seconds",
  /** Prefix of nats-server's own figures, read from its monitoring endpoint (`/varz`). */
  natsPrefix: "fuse_nats_",
  /** Prefix of each process's Node.js and process figures (process-figures.ts). */
  processPrefix: "fuse_",
  /** CPU time (user and system) a process used. Counter, seconds. */
  processCpu: "fuse_process_cpu_seconds_total",
  /** Resident memory of a process. Gauge, bytes. */
  processMemory: "fuse_process_resident_memory_bytes",
  /** When a process started, since the epoch. Gauge, seconds. */
  processStart: "fuse_process_start_time_seconds",
  /** How late a callback queued at the scrape ran. Gauge, seconds. */
  eventLoopLag: "fuse_nodejs_eventloop_lag_seconds",
} as const;

/** Latency buckets in seconds: 0.5 ms to 10 s, where bus calls (sub-ms) and slow handlers both fall. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** Buckets in seconds for task runs and steps: a step may be one quick call or a wait of days. */
export const TASK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400];

/**
 * The label naming an actor's instance (0, 1, …). Not `instance`: Prometheus gives every
 * scraped series its own `instance` label (the target's address), and one target here serves
 * every process, so ours would be renamed `exported_instance`.
 */
export const INSTANCE_LABEL = "actor_instance";

/** The outcome label of a request that succeeded. */
export const OK_CODE = "OK";

/** The label value of an endpoint or route nobody declared: one value, however many names clients try. */
export const UNKNOWN_LABEL = "unknown";

/** The scatter-gather subject every process answers with its metrics (protocol's serviceMetricsSubject). */
export { serviceMetricsSubject as metricsSubject } from "../protocol/index.ts";
