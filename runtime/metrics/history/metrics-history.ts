import type { MetricsSnapshot } from "../figure-family.ts";
import { callGraph } from "./call-graph.ts";
import { CounterDeltas } from "./counter-deltas.ts";
import type { ActorHistory, CallGraph, HistoryOverview, TrafficSeries } from "./history-types.ts";
import { intervalOf, type Interval } from "./interval.ts";
import { readFigures } from "./read-figures.ts";
import { actorHistory, trafficSeries } from "./traffic-series.ts";

/** The span the history covers at most: the last quarter hour. */
export const HISTORY_WINDOW_MS = 15 * 60_000;
/** Intervals kept at most: a short sampling interval shortens the window rather than grow memory. */
export const HISTORY_MAX_POINTS = 180;
/** The span the call graph's rates are taken over. */
export const GRAPH_WINDOW_MS = 60_000;

export interface MetricsHistoryOptions {
  /** Ms between samples, as the sampler runs them. */
  intervalMs: number;
}

/**
 * Rates, error ratios and latency quantiles over the last minutes, from the snapshots every
 * process answers on `$SRV.METRICS`, recorded one sample at a time: each sample becomes the
 * interval since the previous one (counter deltas, restarts counting from zero) in a ring of at
 * most HISTORY_MAX_POINTS. Pure: the caller brings the snapshots and the clock.
 */
export class MetricsHistory {
  /** Intervals kept: the quarter hour's worth, at most HISTORY_MAX_POINTS. */
  readonly capacity: number;
  private readonly ring: Interval[] = [];
  private readonly deltas = new CounterDeltas();
  private previousAt: number | undefined;
  /** Each actor's endpoints as the latest sample names them: the ones idle all along too. */
  private known = new Map<string, string[]>();

  constructor(private readonly options: MetricsHistoryOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError(`intervalMs: expected a positive number of ms, got ${options.intervalMs}`);
    this.capacity = Math.max(1, Math.min(HISTORY_MAX_POINTS, Math.ceil(HISTORY_WINDOW_MS / options.intervalMs)));
  }

  /** Adds the sample taken at `at` (ms since the epoch); the first one is only the baseline. */
  record(at: number, snapshots: readonly MetricsSnapshot[]): void {
    const figures = readFigures(snapshots);
    const started = (process: string) => figures.gauges.get(process)?.started;
    const deltas = this.deltas.next(at, [...figures.requests, ...figures.latency, ...figures.calls, ...figures.cpu], started);
    const known = new Map<string, Set<string>>();
    for (const r of figures.requests) known.set(r.actor, (known.get(r.actor) ?? new Set()).add(r.endpoint));
    this.known = new Map([...known].map(([actor, endpoints]) => [actor, [...endpoints].sort()]));
    const previous = this.previousAt;
    this.previousAt = at;
    if (!deltas || previous === undefined || at <= previous) return;
    this.ring.push(intervalOf(at, (at - previous) / 1000, figures, deltas));
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
  }

  /** Every actor's history, by name. */
  overview(): HistoryOverview {
    return { ...this.span(), actors: this.actors().map((a) => this.actor(a)!) };
  }

  /** One actor's history; undefined for an actor the history has never heard of. */
  actor(name: string): ActorHistory | undefined {
    const endpoints = this.known.get(name);
    if (!endpoints && !this.ring.some((i) => [...i.instances.values()].some((x) => x.actor === name))) return undefined;
    return actorHistory(this.ring, name, endpoints ?? []);
  }

  /** One endpoint's requests; undefined for an endpoint the latest sample does not name. */
  endpoint(actor: string, endpoint: string): TrafficSeries | undefined {
    if (!this.known.get(actor)?.includes(endpoint)) return undefined;
    return trafficSeries(this.ring, (interval) => {
      const e = interval.endpoints.get(`${actor}\u0000${endpoint}`);
      return e ? [e] : [];
    });
  }

  /** Who called whom over the last `windowMs`, with rates and error ratios. */
  graph(windowMs = GRAPH_WINDOW_MS): CallGraph {
    return callGraph(this.ring, this.known.keys(), windowMs);
  }

  /** The interval, the window and the span covered so far. */
  span(): Omit<HistoryOverview, "actors"> {
    const first = this.ring[0];
    return {
      intervalMs: this.options.intervalMs,
      windowMs: this.capacity * this.options.intervalMs,
      from: first ? first.at - first.seconds * 1000 : null,
      to: this.ring.at(-1)?.at ?? null,
    };
  }

  /** Actors named by the latest sample or seen in the window, by name. */
  private actors(): string[] {
    const names = new Set(this.known.keys());
    for (const interval of this.ring) for (const i of interval.instances.values()) names.add(i.actor);
    return [...names].sort();
  }
}
