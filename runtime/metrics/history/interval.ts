import { LATENCY_BOUNDS, type SampledFigures } from "./read-figures.ts";

/** An endpoint's requests in one interval, and their latency as cumulative bucket counts (LATENCY_BOUNDS). */
export interface EndpointInterval {
  actor: string;
  endpoint: string;
  requests: number;
  errors: number;
  buckets: Float64Array;
}

/** A process's figures in one interval: CPU as a share of one core, memory in bytes, lag in seconds. */
export interface InstanceInterval {
  actor: string;
  instance: string;
  cpu: number | null;
  memory: number | null;
  lag: number | null;
}

/** Calls from one actor to another in one interval, by whether they succeeded. */
export interface CallEdgeInterval {
  from: string;
  to: string;
  calls: number;
  errors: number;
}

/**
 * What happened between two samples: only endpoints and edges that had traffic are kept (an idle
 * hub's intervals stay small), and every process that answered.
 */
export interface Interval {
  /** When it ended: the sample's time, ms since the epoch. */
  at: number;
  /** Its length in seconds (from the previous sample: the timer may run late). */
  seconds: number;
  endpoints: Map<string, EndpointInterval>;
  instances: Map<string, InstanceInterval>;
  edges: Map<string, CallEdgeInterval>;
}

const pairKey = (a: string, b: string) => `${a}\u0000${b}`;

/** One interval from a sample's figures and how much each of its counters grew (by key). */
export function intervalOf(at: number, seconds: number, figures: SampledFigures, deltas: ReadonlyMap<string, number>): Interval {
  const interval: Interval = { at, seconds, endpoints: new Map(), instances: new Map(), edges: new Map() };
  const endpoint = (actor: string, name: string) => {
    const key = pairKey(actor, name);
    let e = interval.endpoints.get(key);
    if (!e) interval.endpoints.set(key, (e = { actor, endpoint: name, requests: 0, errors: 0, buckets: new Float64Array(LATENCY_BOUNDS.length) }));
    return e;
  };
  for (const r of figures.requests) {
    const d = deltas.get(r.key) ?? 0;
    if (!d) continue;
    const e = endpoint(r.actor, r.endpoint);
    e.requests += d;
    if (!r.ok) e.errors += d;
  }
  for (const l of figures.latency) {
    const d = deltas.get(l.key) ?? 0;
    if (d) endpoint(l.actor, l.endpoint).buckets[l.bucket]! += d;
  }
  for (const c of figures.calls) {
    const d = deltas.get(c.key) ?? 0;
    if (!d) continue;
    const key = pairKey(c.caller, c.callee);
    let edge = interval.edges.get(key);
    if (!edge) interval.edges.set(key, (edge = { from: c.caller, to: c.callee, calls: 0, errors: 0 }));
    edge.calls += d;
    if (!c.ok) edge.errors += d;
  }
  const cpu = new Map(figures.cpu.map((c) => [c.process, (deltas.get(c.key) ?? 0) / seconds]));
  for (const [process, g] of figures.gauges) {
    interval.instances.set(process, { actor: g.actor, instance: g.instance, cpu: cpu.get(process) ?? null, memory: g.memory ?? null, lag: g.lag ?? null });
  }
  for (const c of figures.cpu) {
    if (!interval.instances.has(c.process)) interval.instances.set(c.process, { actor: c.actor, instance: c.instance, cpu: cpu.get(c.process)!, memory: null, lag: null });
  }
  return interval;
}
