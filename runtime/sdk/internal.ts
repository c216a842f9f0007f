/**
 * @module sdk/internal
 * The runtime's own entry to the SDK, for the built-in actors, the hub and the CLI: running an
 * actor on a transport (`startActor`), the in-process transport, discovery over `$SRV.*`, the
 * actor process loop, relays for the gateway and the database classes behind `ctx.db`. Actors
 * never import it (the architecture test fails if one does); it re-exports the public entry so
 * a runtime part needs only one import.
 * May import: bus, protocol, errors, log, table, build, security, metrics and tracing.
 */
export * from "./index.ts";
export { isActorDefinition, ON_DRAIN, SERVED_ADDRESS, WITHOUT_CONTEXT_STORAGE, type InternalActor } from "./define-actor.ts";
export { spanOf } from "./context.ts";
export { KeyValue } from "./stores/key-value.ts";
export { Files } from "./stores/files.ts";
export type { RelayOptions, RelayReply } from "./caller.ts";
export type { DiscoverOptions, DiscoveredService, DiscoveredEndpoint, JsonSchema } from "./discover.ts";
export { startActor, type RunningActor, type StartActorOptions } from "./start-actor.ts";
export { InProcessTransport } from "./in-process/in-process-transport.ts";
export { newTraceId } from "../protocol/index.ts";
export { runActorProcess, type ModuleLoader } from "./process/actor-main.ts";
export { Database, Table, databaseTokenFromEnv, type SqlExecutor, type Statement } from "../table/index.ts";
export { followEvents } from "./follow-events.ts";
export { onInstanceLost } from "./on-instance-lost.ts";
export { gatherMetricSnapshots, processMetrics, scrapeMetrics } from "./metrics-answer.ts";
export { MetricsHistory, type CallGraph, type HistoryOverview, type TrafficSeries } from "../metrics/index.ts";
export { processTracing } from "./process-tracing.ts";
export { gatherTraces } from "./traces-answer.ts";
export { startTracing, tracingFromEnv, recentTraces, waterfall, SpanAttr, type FuseSpan, type Tracing } from "../tracing/index.ts";
export type { LostInstance } from "./instance-lost.ts";
export type { EventFollow, FollowedEvent } from "../bus/index.ts";
