import type { MetricObjectWithValues, MetricValue } from "prom-client";

/** A registry's series as prom-client's JSON: what a process sends over the bus when scraped. */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/** The figures of one label set; the hot path is one counter increment and one histogram observe. */
export interface EndpointMetrics {
  /** Something finished with `outcome` (OK_CODE, an error code, a run's status) after `seconds`. */
  done(outcome: string, seconds: number): void;
}

export interface FigureFamilyOptions {
  /** The counter by outcome; none for a family that is only a histogram. */
  counter?: { name: string; help: string };
  histogram: { name: string; help: string };
  /** The histogram's upper bounds, in seconds, ascending. */
  buckets: readonly number[];
  /** The counter's label for the outcome. Default "code". */
  outcomeLabel?: string;
}

/**
 * A counter by outcome and a latency histogram, one set per bound label set (an endpoint, a
 * call target, a task…), counted in plain numbers and turned into prom-client's JSON only
 * when scraped: prom-client's labelled metrics hash their labels on every observe.
 */
export class FigureFamily {
  private readonly bound: { labels: Record<string, string>; figures: BoundFigures }[] = [];

  constructor(private readonly options: FigureFamilyOptions) {}

  /** Figures for one label set; `outcomes` exist at zero from the start. */
  bind(labels: Record<string, string>, outcomes: readonly string[]): EndpointMetrics {
    const figures = new BoundFigures(outcomes, this.options.buckets);
    this.bound.push({ labels, figures });
    return figures;
  }

  /** prom-client's JSON of the counter and the histogram (cumulative buckets, `+Inf`, `_sum`, `_count`). */
  json(base: Record<string, string>): MetricsSnapshot {
    if (!this.bound.length) return [];
    const { counter, histogram: h, buckets } = this.options;
    const outcomeLabel = this.options.outcomeLabel ?? "code";
    const counts: MetricValue<string>[] = [];
    const histogram: MetricValue<string>[] = [];
    for (const bound of this.bound) {
      const { figures } = bound;
      const labels = { ...base, ...bound.labels };
      for (const [outcome, value] of figures.counts) counts.push({ labels: { ...labels, [outcomeLabel]: outcome }, value });
      let cumulative = 0;
      buckets.forEach((le, i) => {
        cumulative += figures.buckets[i]!;
        histogram.push({ labels: { ...labels, le }, value: cumulative, metricName: `${h.name}_bucket` } as MetricValue<string>);
      });
      histogram.push({ labels: { ...labels, le: "+Inf" }, value: figures.count, metricName: `${h.name}_bucket` } as MetricValue<string>);
      histogram.push({ labels, value: figures.sum, metricName: `${h.name}_sum` } as MetricValue<string>);
      histogram.push({ labels, value: figures.count, metricName: `${h.name}_count` } as MetricValue<string>);
    }
    return [
      ...(counter ? [{ name: counter.name, help: counter.help, type: "counter", values: counts, aggregator: "sum" }] : []),
      { name: h.name, help: h.help, type: "histogram", values: histogram, aggregator: "sum" },
    ] as unknown as MetricsSnapshot;
  }
}

/** One label set's figures in plain numbers: the hot path allocates nothing. */
class BoundFigures implements EndpointMetrics {
  /** Counts by outcome: a fixed list plus what the code declares, never what a client sends. */
  readonly counts = new Map<string, number>();
  /** Per bucket (not cumulative) counts; above the last only in `count`. */
  readonly buckets: Float64Array;
  sum = 0;
  count = 0;

  private readonly bucketCount: number;

  constructor(
    outcomes: readonly string[],
    private readonly bounds: readonly number[],
  ) {
    this.bucketCount = bounds.length;
    this.buckets = new Float64Array(this.bucketCount);
    // Series that exist at zero before the first observation: rate() then counts that one too.
    for (const outcome of outcomes) this.counts.set(outcome, 0);
  }

  done(outcome: string, seconds: number): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
    let i = 0;
    while (i < this.bucketCount && seconds > this.bounds[i]!) i++;
    if (i < this.bucketCount) this.buckets[i]!++;
    this.sum += seconds;
    this.count++;
  }
}
