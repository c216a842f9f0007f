import type { MetricObjectWithValues, MetricValue, Registry } from "prom-client";
import { registerProcessFigures } from "./process-figures.ts";
import { INSTANCE_LABEL, LATENCY_BUCKETS, MetricName, OK_CODE } from "./metric-names.ts";

const HTTP_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/** The figures of one endpoint; the hot path is one counter increment and one histogram observe. */
export interface EndpointMetrics {
  /** A request finished with `code` (OK_CODE or an error code) after `seconds`. */
  done(code: string, seconds: number): void;
}

export interface ActorMetricsOptions {
  actor: string;
  instance: number;
  /** Also the process's CPU, memory, event-loop lag and heap (a process that is one actor). */
  processMetrics?: boolean;
}

/**
 * One actor instance's Prometheus registry: its endpoints' requests and latency, its calls,
 * and (in its own process) the process's figures. Every series carries `actor` and
 * `actor_instance`, so the registries of all processes merge into one exposition without clashing.
 *
 * Requests and calls are counted in plain numbers (a Map increment and a bucket index), not
 * through prom-client's labelled metrics, whose label hashing cost microseconds per request;
 * they are turned into prom-client's JSON only when scraped. prom-client itself is loaded at
 * the first scrape: an actor that is never scraped starts without it.
 */
export class ActorMetrics {
  private registry: Promise<Registry> | undefined;
  private readonly processMetrics: boolean;
  private readonly base: Record<string, string>;
  private readonly endpoints: Family;
  private readonly calls: Family;

  constructor(options: ActorMetricsOptions) {
    this.base = { actor: options.actor, [INSTANCE_LABEL]: String(options.instance) };
    this.processMetrics = options.processMetrics ?? false;
    this.endpoints = new Family(MetricName.requests, "Requests an endpoint finished, by outcome code (OK or the error code).", MetricName.requestDuration, "Time an endpoint took per request, in seconds (server side).");
    this.calls = new Family(MetricName.calls, "Calls this actor made (ctx.call), by target actor.endpoint and outcome code.", MetricName.callDuration, "Time this actor's calls took as the caller saw them, in seconds (client side).");
    this.httpRequests = new Family(MetricName.httpRequests, "HTTP requests the gateway answered, by route pattern, method and status.", MetricName.httpDuration, "Time the gateway took per HTTP request until the response's head, in seconds.", "status");
  }

  private async makeRegistry(): Promise<Registry> {
    const { Registry } = await import("prom-client");
    const registry = new Registry();
    registry.setDefaultLabels(this.base);
    if (this.processMetrics) await registerProcessFigures(registry);
    return registry;
  }

  /**
   * The figures of one declared endpoint. Its latency, its OK count and the count of each error
   * it declares exist from the start at zero, so `rate()` sees their first increase.
   */
  endpoint(name: string, declaredCodes: readonly string[] = []): EndpointMetrics {
    return this.endpoints.bind({ endpoint: name }, [OK_CODE, ...declaredCodes]);
  }

  /** The figures of calls to one target (`actor.endpoint`). */
  callsTo(target: string): EndpointMetrics {
    return this.calls.bind({ target }, [OK_CODE]);
  }

  /**
   * One HTTP request the gateway answered: `route` is the pattern that matched (`/api/:actor/:endpoint`),
   * never the path a client sent; the series exist only in a process that serves HTTP.
   */
  http(route: string, method: string, status: number, seconds: number): void {
    const m = HTTP_METHODS.has(method) ? method : "OTHER";
    const key = `${m} ${route}`;
    let figures = this.httpRoutes.get(key);
    if (!figures) this.httpRoutes.set(key, (figures = this.httpRequests.bind({ route, method: m }, [])));
    figures.done(String(status), seconds);
  }

  private readonly httpRequests: Family;
  /** By method and route pattern: a few dozen at most, as routes come from the code and config. */
  private readonly httpRoutes = new Map<string, EndpointMetrics>();

  /** Every series now, as prom-client's JSON (what a process sends over the bus). */
  async snapshot(): Promise<MetricsSnapshot> {
    this.registry ??= this.makeRegistry();
    const registered = (await (await this.registry).getMetricsAsJSON()) as MetricsSnapshot;
    return [...registered, ...this.endpoints.json(this.base), ...this.calls.json(this.base), ...this.httpRequests.json(this.base)];
  }
}

/** A counter by outcome code and a latency histogram, one set per endpoint (or call target). */
class Family {
  private readonly bound: { labels: Record<string, string>; figures: BoundFigures }[] = [];

  constructor(
    private readonly counterName: string,
    private readonly counterHelp: string,
    private readonly histogramName: string,
    private readonly histogramHelp: string,
    /** The counter's label for the outcome. */
    private readonly outcomeLabel = "code",
  ) {}

  /** Figures for one label set; `codes` exist at zero from the start. */
  bind(labels: Record<string, string>, codes: readonly string[]): BoundFigures {
    const figures = new BoundFigures(codes);
    this.bound.push({ labels, figures });
    return figures;
  }

  /** prom-client's JSON of the counter and the histogram (cumulative buckets, `+Inf`, `_sum`, `_count`). */
  json(base: Record<string, string>): MetricsSnapshot {
    if (!this.bound.length) return [];
    const counts: MetricValue<string>[] = [];
    const histogram: MetricValue<string>[] = [];
    for (const bound of this.bound) {
      const { figures } = bound;
      const labels = { ...base, ...bound.labels };
      for (const [code, value] of figures.counts) counts.push({ labels: { ...labels, [this.outcomeLabel]: code }, value });
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        cumulative += figures.buckets[i]!;
        histogram.push({ labels: { ...labels, le }, value: cumulative, metricName: `${this.histogramName}_bucket` } as MetricValue<string>);
      });
      histogram.push({ labels: { ...labels, le: "+Inf" }, value: figures.count, metricName: `${this.histogramName}_bucket` } as MetricValue<string>);
      histogram.push({ labels, value: figures.sum, metricName: `${this.histogramName}_sum` } as MetricValue<string>);
      histogram.push({ labels, value: figures.count, metricName: `${this.histogramName}_count` } as MetricValue<string>);
    }
    return [
      { name: this.counterName, help: this.counterHelp, type: "counter", values: counts, aggregator: "sum" },
      { name: this.histogramName, help: this.histogramHelp, type: "histogram", values: histogram, aggregator: "sum" },
    ] as unknown as MetricsSnapshot;
  }
}

/** One endpoint's (or target's) figures in plain numbers: the hot path allocates nothing. */
class BoundFigures implements EndpointMetrics {
  /** Requests by outcome code: error codes are a fixed list plus the endpoints' declared ones. */
  readonly counts = new Map<string, number>();
  /** Per bucket (not cumulative) counts, for LATENCY_BUCKETS; above the last only in `count`. */
  readonly buckets = new Float64Array(LATENCY_BUCKETS.length);
  sum = 0;
  count = 0;

  constructor(codes: readonly string[]) {
    // Series that exist at zero before the first request: rate() then counts that request too.
    for (const code of codes) this.counts.set(code, 0);
  }

  done(code: string, seconds: number): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
    let i = 0;
    while (i < BUCKET_COUNT && seconds > LATENCY_BUCKETS[i]!) i++;
    if (i < BUCKET_COUNT) this.buckets[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

const BUCKET_COUNT = LATENCY_BUCKETS.length;
