/**
 * Prometheus metrics (prom-client): each process's registry (its endpoints, calls, ctx.db
 * statements, task runs and process figures), the hub's supervision and nats-server figures,
 * the merge of every process's snapshot into one exposition, the `/metrics` port of its own,
 * and the history of the last minutes the dashboard charts (history/).
 * May import: protocol.
 */
export { ActorMetrics, type ActorMetricsOptions, type EndpointMetrics, type MetricsSnapshot } from "./actor-metrics.ts";
export { HubMetrics, type HubMetricsOptions } from "./hub-metrics.ts";
export { exposition, mergeSnapshots, snapshotsOf } from "./merge-metrics.ts";
export { INSTANCE_LABEL, LATENCY_BUCKETS, MetricName, OK_CODE, UNKNOWN_LABEL, metricsSubject } from "./metric-names.ts";
export { DB_KINDS, statementKind, type DbKind } from "./db-kind.ts";
export { scrapeBus, type GatherReplies } from "./scrape.ts";
export { serveMetrics, type MetricsServer } from "./metrics-server.ts";
export { MetricsHistory, GRAPH_WINDOW_MS, HISTORY_MAX_POINTS, HISTORY_WINDOW_MS, type MetricsHistoryOptions } from "./history/metrics-history.ts";
export { histogramQuantile } from "./history/histogram-quantile.ts";
export type { ActorHistory, CallGraph, GraphEdge, GraphNode, HistoryOverview, InstancePoint, InstanceSeries, TrafficPoint, TrafficSeries, TrafficSummary } from "./history/history-types.ts";
