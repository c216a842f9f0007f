/**
 * OpenTelemetry traces: spans of calls, events, HTTP requests and database statements, with
 * their parents across processes (W3C `traceparent`), exported over OTLP/HTTP and/or kept in
 * each process's bounded in-hub store (`recent/`) for the dashboard. The OpenTelemetry packages
 * are loaded by `startTracing` only, so a process with tracing off never loads them.
 * May import: protocol.
 */
export type { FuseSpan, RecentSpans, SpanAttributes, SpanKindName, SpanStart, Tracing, TracingOptions } from "./tracing.ts";
export { recentTraces } from "./recent/merge-traces.ts";
export { waterfall } from "./recent/waterfall.ts";
export { startTracing, tracingFromEnv } from "./start-tracing.ts";
export { RPC_SYSTEM_NAME, SpanAttr } from "./span-attributes.ts";
