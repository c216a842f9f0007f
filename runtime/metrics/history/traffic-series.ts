import { histogramQuantile } from "./histogram-quantile.ts";
import type { ActorHistory, InstanceSeries, TrafficSeries, TrafficSummary } from "./history-types.ts";
import type { EndpointInterval, Interval } from "./interval.ts";
import { LATENCY_BOUNDS } from "./read-figures.ts";

/** Requests, errors and summed buckets of some endpoints over some seconds, as rates and quantiles. */
function summary(seconds: number, requests: number, errors: number, buckets: Float64Array): TrafficSummary {
  return {
    seconds,
    requests,
    errors,
    rate: seconds > 0 ? requests / seconds : 0,
    errorRatio: requests > 0 ? errors / requests : null,
    p50: histogramQuantile(0.5, LATENCY_BOUNDS, buckets),
    p99: histogramQuantile(0.99, LATENCY_BOUNDS, buckets),
  };
}

/** The traffic of the endpoints `pick` chooses in each interval: a point per interval, and the window's total. */
export function trafficSeries(intervals: readonly Interval[], pick: (interval: Interval) => EndpointInterval[]): TrafficSeries {
  const total = new Float64Array(LATENCY_BOUNDS.length);
  let requests = 0, errors = 0, seconds = 0;
  const points = intervals.map((interval) => {
    const buckets = new Float64Array(LATENCY_BOUNDS.length);
    let r = 0, e = 0;
    for (const endpoint of pick(interval)) {
      r += endpoint.requests;
      e += endpoint.errors;
      endpoint.buckets.forEach((count, i) => (buckets[i]! += count));
    }
    buckets.forEach((count, i) => (total[i]! += count));
    requests += r;
    errors += e;
    seconds += interval.seconds;
    return { at: interval.at, ...summary(interval.seconds, r, e, buckets) };
  });
  return { points, window: summary(seconds, requests, errors, total) };
}

/** Each instance of `actor` over the intervals it answered in, ordered by instance. */
export function instanceSeries(intervals: readonly Interval[], actor: string): InstanceSeries[] {
  const byInstance = new Map<string, InstanceSeries>();
  for (const interval of intervals) {
    for (const i of interval.instances.values()) {
      if (i.actor !== actor) continue;
      let series = byInstance.get(i.instance);
      if (!series) byInstance.set(i.instance, (series = { instance: i.instance, points: [] }));
      series.points.push({ at: interval.at, cpu: i.cpu, memory: i.memory, lag: i.lag });
    }
  }
  return [...byInstance.values()].sort((a, b) => a.instance.localeCompare(b.instance, "en", { numeric: true }));
}

/** An actor's history: its requests summed over its endpoints, and its instances. */
export function actorHistory(intervals: readonly Interval[], actor: string, endpoints: readonly string[]): ActorHistory {
  const traffic = trafficSeries(intervals, (interval) => [...interval.endpoints.values()].filter((e) => e.actor === actor));
  return { actor, endpoints: [...endpoints], traffic, instances: instanceSeries(intervals, actor) };
}
