import type { Registry } from "prom-client";
import { registerProcessFigures } from "./process-figures.ts";
import { INSTANCE_LABEL, LATENCY_BUCKETS, MetricName, OK_CODE, TASK_BUCKETS } from "./metric-names.ts";
import type { DbKind } from "./db-kind.ts";
import { FigureFamily, type EndpointMetrics, type MetricsSnapshot } from "./figure-family.ts";

const HTTP_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export type { EndpointMetrics, MetricsSnapshot } from "./figure-family.ts";

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
  private readonly endpoints: FigureFamily;
  private readonly calls: FigureFamily;

  constructor(options: ActorMetricsOptions) {
    this.base = { actor: options.actor, [INSTANCE_LABEL]: String(options.instance) };
    this.processMetrics = options.processMetrics ?? false;
    this.endpoints = latencyFamily(MetricName.requests, "Requests an endpoint finished, by outcome code (OK or the error code).", MetricName.requestDuration, "Time an endpoint took per request, in seconds (server side).");
    this.calls = latencyFamily(MetricName.calls, "Calls this actor made (ctx.call), by target actor.endpoint and outcome code.", MetricName.callDuration, "Time this actor's calls took as the caller saw them, in seconds (client side).");
    this.httpRequests = latencyFamily(MetricName.httpRequests, "HTTP requests the gateway answered, by route pattern, method and status.", MetricName.httpDuration, "Time the gateway took per HTTP request until the response's head, in seconds.", "status");
    this.dbStatements = latencyFamily(MetricName.dbStatements, "Statements this actor ran through ctx.db, by kind (select, insert, update, delete, batch, transaction, other) and outcome code.", MetricName.dbStatementDuration, "Time a ctx.db statement took as the actor saw it, in seconds (a transaction: BEGIN to COMMIT or ROLLBACK).");
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

  private readonly httpRequests: FigureFamily;
  /** By method and route pattern: a few dozen at most, as routes come from the code and config. */
  private readonly httpRoutes = new Map<string, EndpointMetrics>();

  /** Every series now, as prom-client's JSON (what a process sends over the bus). */
  async snapshot(): Promise<MetricsSnapshot> {
    this.registry ??= this.makeRegistry();
    const registered = (await (await this.registry).getMetricsAsJSON()) as MetricsSnapshot;
    const families = [this.endpoints, this.calls, this.httpRequests, this.dbStatements, this.taskRuns, this.taskSteps];
    return [...registered, ...families.flatMap((family) => family.json(this.base))];
  }

  /** One `ctx.db` statement (or transaction, or batch) of this actor ended with `code` after `seconds`. */
  dbStatement(kind: DbKind, code: string, seconds: number): void {
    let figures = this.dbKinds.get(kind);
    if (!figures) this.dbKinds.set(kind, (figures = this.dbStatements.bind({ kind }, [OK_CODE])));
    figures.done(code, seconds);
  }

  private readonly dbStatements: FigureFamily;
  /** By kind: DB_KINDS (db-kind.ts), a closed list, never SQL text or a table name. */
  private readonly dbKinds = new Map<DbKind, EndpointMetrics>();

  /** A run of `task` ended with `status` (succeeded, failed, cancelled, compensated, compensation_failed) after `seconds`. */
  taskRunEnded(task: string, status: string, seconds: number): void {
    let figures = this.taskRunFigures.get(task);
    if (!figures) this.taskRunFigures.set(task, (figures = this.taskRuns.bind({ task }, ["succeeded", "failed"])));
    figures.done(status, seconds);
  }

  /** A step of `task` ended (succeeded, failed, cancelled) after `seconds`, from its start to its end, retries and waits included. */
  taskStepEnded(task: string, step: string, seconds: number): void {
    const key = `${task}\u0000${step}`;
    let figures = this.taskStepFigures.get(key);
    if (!figures) this.taskStepFigures.set(key, (figures = this.taskSteps.bind({ task, step }, [])));
    figures.done(OK_CODE, seconds);
  }

  private readonly taskRuns = new FigureFamily({
    counter: { name: MetricName.taskRuns, help: "Task runs that ended, by task and how they ended (succeeded, failed, cancelled, compensated, compensation_failed)." },
    histogram: { name: MetricName.taskRunDuration, help: "Time a task run took from its start to its end, in seconds." },
    buckets: TASK_BUCKETS,
    outcomeLabel: "status",
  });
  private readonly taskSteps = new FigureFamily({
    histogram: { name: MetricName.taskStepDuration, help: "Time a task's step took from its start to its end, retries and waits included, in seconds." },
    buckets: TASK_BUCKETS,
  });
  /** By task and by task and step: both come from the task files, a bounded set. */
  private readonly taskRunFigures = new Map<string, EndpointMetrics>();
  private readonly taskStepFigures = new Map<string, EndpointMetrics>();
}

/** A counter by outcome and a histogram on LATENCY_BUCKETS: requests, calls, HTTP, ctx.db. */
function latencyFamily(counter: string, counterHelp: string, histogram: string, histogramHelp: string, outcomeLabel = "code"): FigureFamily {
  return new FigureFamily({ counter: { name: counter, help: counterHelp }, histogram: { name: histogram, help: histogramHelp }, buckets: LATENCY_BUCKETS, outcomeLabel });
}
