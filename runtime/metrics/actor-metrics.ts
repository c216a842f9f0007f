import { Counter, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from "prom-client";
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
 */
export class ActorMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"endpoint" | "code">;
  private readonly duration: Histogram<"endpoint">;
  private readonly calls: Counter<"target" | "code">;
  private readonly callDuration: Histogram<"target">;

  constructor(options: ActorMetricsOptions) {
    this.registry.setDefaultLabels({ actor: options.actor, [INSTANCE_LABEL]: String(options.instance) });
    const registers = [this.registry];
    this.requests = new Counter({ name: MetricName.requests, help: "Requests an endpoint finished, by outcome code (OK or the error code).", labelNames: ["endpoint", "code"], registers });
    this.duration = new Histogram({ name: MetricName.requestDuration, help: "Time an endpoint took per request, in seconds (server side).", labelNames: ["endpoint"], buckets: LATENCY_BUCKETS, registers });
    this.calls = new Counter({ name: MetricName.calls, help: "Calls this actor made (ctx.call), by target actor.endpoint and outcome code.", labelNames: ["target", "code"], registers });
    this.callDuration = new Histogram({ name: MetricName.callDuration, help: "Time this actor's calls took as the caller saw them, in seconds (client side).", labelNames: ["target"], buckets: LATENCY_BUCKETS, registers });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: MetricName.processPrefix });
  }

  /**
   * The figures of one declared endpoint. Its latency, its OK count and the count of each error
   * it declares exist from the start at zero, so `rate()` sees their first increase.
   */
  endpoint(name: string, declaredCodes: readonly string[] = []): EndpointMetrics {
    return new BoundFigures(this.requests, this.duration, { endpoint: name }, declaredCodes);
  }

  /** The figures of calls to one target (`actor.endpoint`). */
  callsTo(target: string): EndpointMetrics {
    return new BoundFigures(this.calls, this.callDuration, { target });
  }

  /**
   * One HTTP request the gateway answered: `route` is the pattern that matched (`/api/:actor/:endpoint`),
   * never the path a client sent; the series exist only in a process that serves HTTP.
   */
  http(route: string, method: string, status: number, seconds: number): void {
    const http = (this.httpFigures ??= {
      requests: new Counter({ name: MetricName.httpRequests, help: "HTTP requests the gateway answered, by route pattern, method and status.", labelNames: ["route", "method", "status"], registers: [this.registry] }),
      duration: new Histogram({ name: MetricName.httpDuration, help: "Time the gateway took per HTTP request until the response's head, in seconds.", labelNames: ["route", "method"], buckets: LATENCY_BUCKETS, registers: [this.registry] }),
    });
    const m = HTTP_METHODS.has(method) ? method : "OTHER";
    http.requests.inc({ route, method: m, status: String(status) });
    http.duration.observe({ route, method: m }, seconds);
  }

  private httpFigures: { requests: Counter<"route" | "method" | "status">; duration: Histogram<"route" | "method"> } | undefined;

  /** Every series now, as prom-client's JSON (what a process sends over the bus). */
  snapshot(): Promise<MetricsSnapshot> {
    return this.registry.getMetricsAsJSON() as Promise<MetricsSnapshot>;
  }
}

/** A counter by outcome and a histogram, both bound to one endpoint or target. */
class BoundFigures implements EndpointMetrics {
  /** Counter children by outcome code: error codes are a fixed list plus the endpoints' declared ones. */
  private readonly byCode = new Map<string, Counter.Internal>();
  private readonly histogram: Histogram.Internal<string>;

  constructor(
    private readonly counter: Counter<string>,
    histogram: Histogram<string>,
    private readonly labels: Record<string, string>,
    codes: readonly string[] = [],
  ) {
    // Series that exist at zero before the first request: rate() then counts that request too.
    histogram.zero(labels);
    this.histogram = histogram.labels(labels);
    for (const code of [OK_CODE, ...codes]) this.child(code);
  }

  done(code: string, seconds: number): void {
    (this.byCode.get(code) ?? this.child(code)).inc();
    this.histogram.observe(seconds);
  }

  private child(code: string): Counter.Internal {
    const child = this.counter.labels({ ...this.labels, code });
    child.inc(0);
    this.byCode.set(code, child);
    return child;
  }
}
