/**
 * What the dashboard's charts and call graph are drawn from (the gateway's `/dashboard/history`
 * and `/dashboard/graph` answer these as JSON). Times are ms since the epoch, durations and
 * latencies in seconds, rates per second, memory in bytes, CPU as a share of one core; a ratio
 * or a quantile of an interval without requests is null, not zero.
 */

/** One interval's requests of an actor or an endpoint. */
export interface TrafficPoint {
  /** When the interval ended. */
  at: number;
  seconds: number;
  requests: number;
  errors: number;
  /** Requests per second. */
  rate: number;
  /** Share of the requests that did not end OK. */
  errorRatio: number | null;
  p50: number | null;
  p99: number | null;
}

/** The same figures over the whole window (quantiles from the summed buckets). */
export type TrafficSummary = Omit<TrafficPoint, "at">;

export interface TrafficSeries {
  points: TrafficPoint[];
  window: TrafficSummary;
}

export interface InstancePoint {
  at: number;
  cpu: number | null;
  memory: number | null;
  lag: number | null;
}

/** One instance (process) of an actor, over the intervals it answered in. */
export interface InstanceSeries {
  instance: string;
  points: InstancePoint[];
}

export interface ActorHistory {
  actor: string;
  /** Its endpoints as the latest sample names them. */
  endpoints: string[];
  traffic: TrafficSeries;
  instances: InstanceSeries[];
}

export interface HistoryOverview {
  /** Ms between samples. */
  intervalMs: number;
  /** The span the history keeps (at most 15 minutes). */
  windowMs: number;
  /** The oldest interval's start and the newest's end; null before the second sample. */
  from: number | null;
  to: number | null;
  actors: ActorHistory[];
}

/** An actor in the call graph: the requests it served in the graph's window, and its layer. */
export interface GraphNode {
  actor: string;
  /** 0 for an actor no observed call reaches, else one more than its nearest caller's. */
  depth: number;
  requests: number;
  rate: number;
  errorRatio: number | null;
}

/** Calls observed from one actor to another in the graph's window. */
export interface GraphEdge {
  from: string;
  to: string;
  calls: number;
  errors: number;
  rate: number;
  errorRatio: number | null;
}

export interface CallGraph {
  /** The span the figures cover (the last minute, or less since the first samples). */
  seconds: number;
  to: number | null;
  nodes: GraphNode[];
  edges: GraphEdge[];
}
