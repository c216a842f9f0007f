import type { MetricsSnapshot } from "../figure-family.ts";
import { INSTANCE_LABEL, LATENCY_BUCKETS, MetricName, OK_CODE } from "../metric-names.ts";

/** One counter series of one process: its value now, named so the next sample finds it again. */
export interface CounterFigure {
  /** The metric's name and labels: unique within a sample. */
  key: string;
  /** The process that counts it (`actor#instance`): a restart resets all its counters at once. */
  process: string;
  value: number;
}

/** Requests an endpoint finished, by whether they succeeded. */
export interface RequestFigure extends CounterFigure { actor: string; endpoint: string; ok: boolean }
/** A cumulative latency bucket of an endpoint: `bucket` indexes LATENCY_BOUNDS. */
export interface LatencyFigure extends CounterFigure { actor: string; endpoint: string; bucket: number }
/** Calls an actor made to another, by whether they succeeded. */
export interface CallFigure extends CounterFigure { caller: string; callee: string; ok: boolean }
/** CPU seconds a process used. */
export interface CpuFigure extends CounterFigure { actor: string; instance: string }

/** A process's gauges as last read: memory, lag and when it started (seconds since the epoch). */
export interface ProcessGauges {
  actor: string;
  instance: string;
  memory?: number;
  lag?: number;
  started?: number;
}

/** What the history keeps of one scrape of every process: a few counters and gauges. */
export interface SampledFigures {
  requests: RequestFigure[];
  latency: LatencyFigure[];
  calls: CallFigure[];
  cpu: CpuFigure[];
  /** By process (`actor#instance`). */
  gauges: Map<string, ProcessGauges>;
}

/** The request histogram's upper bounds, `+Inf` last: every endpoint's latency uses these. */
export const LATENCY_BOUNDS: readonly number[] = [...LATENCY_BUCKETS, Infinity];

/** A series' value as prom-client's JSON has it: a histogram's names its part (`_bucket`, `_sum`, `_count`). */
type Value = MetricsSnapshot[number]["values"][number] & { metricName?: string };
type Labels = Value["labels"];

const processOf = (labels: Labels) => `${String(labels.actor)}#${String(labels[INSTANCE_LABEL])}`;
const keyOf = (name: string, labels: Labels) => `${name}${JSON.stringify(labels)}`;

/**
 * Reads the figures the dashboard charts from the snapshots every process sent: requests,
 * latency buckets and calls by actor and endpoint, each process's CPU, memory and lag. Anything
 * else is skipped, so the history holds no more series than those metrics already bound.
 * Series of the same name and labels (two processes answering as one) are summed, as the
 * merge behind `/metrics` does.
 */
export function readFigures(snapshots: readonly MetricsSnapshot[]): SampledFigures {
  const requests = new Map<string, RequestFigure>();
  const latency = new Map<string, LatencyFigure>();
  const calls = new Map<string, CallFigure>();
  const cpu = new Map<string, CpuFigure>();
  const gauges = new Map<string, ProcessGauges>();
  const add = <T extends CounterFigure>(into: Map<string, T>, figure: T) => {
    const had = into.get(figure.key);
    if (had) had.value += figure.value;
    else into.set(figure.key, figure);
  };
  const gauge = (labels: Labels, field: "memory" | "lag" | "started", value: number) => {
    const process = processOf(labels);
    let g = gauges.get(process);
    if (!g) gauges.set(process, (g = { actor: String(labels.actor), instance: String(labels[INSTANCE_LABEL]) }));
    g[field] = value;
  };
  for (const metric of snapshots.flat()) {
    for (const { labels, value, metricName } of (metric.values ?? []) as Value[]) {
      if (typeof value !== "number" || labels.actor === undefined) continue;
      const actor = String(labels.actor);
      const common = { key: keyOf(metricName ?? metric.name, labels), process: processOf(labels), value };
      switch (metric.name) {
        case MetricName.requests:
          add(requests, { ...common, actor, endpoint: String(labels.endpoint), ok: labels.code === OK_CODE });
          break;
        case MetricName.requestDuration: {
          const bucket = metricName?.endsWith("_bucket") ? LATENCY_BOUNDS.indexOf(labels.le === "+Inf" ? Infinity : Number(labels.le)) : -1;
          if (bucket >= 0) add(latency, { ...common, actor, endpoint: String(labels.endpoint), bucket });
          break;
        }
        case MetricName.calls: {
          // A target is `actor.endpoint`; the `other` of a caller past its bound names no actor.
          const callee = String(labels.target).split(".");
          if (callee.length >= 2) add(calls, { ...common, caller: actor, callee: callee[0]!, ok: labels.code === OK_CODE });
          break;
        }
        case MetricName.processCpu:
          add(cpu, { ...common, actor, instance: String(labels[INSTANCE_LABEL]) });
          break;
        case MetricName.processMemory:
          gauge(labels, "memory", value);
          break;
        case MetricName.processStart:
          gauge(labels, "started", value);
          break;
        // The watchdog's lag (the hub's view) is the one the health check acts on: it wins over the scrape's own.
        case MetricName.instanceLag:
          gauge(labels, "lag", value);
          break;
        case MetricName.eventLoopLag:
          if (gauges.get(processOf(labels))?.lag === undefined) gauge(labels, "lag", value);
          break;
      }
    }
  }
  return { requests: [...requests.values()], latency: [...latency.values()], calls: [...calls.values()], cpu: [...cpu.values()], gauges };
}
