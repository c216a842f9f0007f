/**
 * The attribute names Fuse puts on spans: its own under `fuse.`, and OpenTelemetry's semantic
 * conventions (rpc, http, db, messaging) spelled as the conventions do. Never an input payload.
 */
export const SpanAttr = {
  actor: "fuse.actor",
  endpoint: "fuse.endpoint",
  instance: "fuse.instance",
  /** OK, or the error code the request or call ended with. */
  code: "fuse.code",
  /** On a call's client span: the actor that made it. */
  caller: "fuse.caller",
  /** The `Fuse-Trace-Id` when it is not a W3C trace id (and so not the span's trace id). */
  traceId: "fuse.trace_id",
  topic: "fuse.topic",
  /** A task run's spans: the task, the run, its final status, a step and its calls made. */
  task: "fuse.task",
  runId: "fuse.run_id",
  runStatus: "fuse.run_status",
  step: "fuse.step",
  attempts: "fuse.attempts",
  rpcSystem: "rpc.system",
  rpcService: "rpc.service",
  rpcMethod: "rpc.method",
  httpMethod: "http.request.method",
  httpRoute: "http.route",
  httpStatus: "http.response.status_code",
  dbSystem: "db.system",
  dbStatement: "db.statement",
  dbOperation: "db.operation",
  messagingSystem: "messaging.system",
  messagingDestination: "messaging.destination.name",
  messagingOperation: "messaging.operation",
} as const;

/** `rpc.system` of Fuse's calls. */
export const RPC_SYSTEM_NAME = "fuse";
