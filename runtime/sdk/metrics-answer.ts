import type { Transport } from "../bus/index.ts";
import { ActorMetrics, metricsSubject, scrapeBus, snapshotsOf, type MetricsSnapshot } from "../metrics/index.ts";

/** The registry and bus of the actor this process runs (set when it answers with process figures). */
let ofProcess: { metrics: ActorMetrics; transport: Transport } | undefined;

/**
 * Answers `$SRV.METRICS` and `$SRV.METRICS.<actor>` with this instance's registry as JSON, so
 * whoever serves `/metrics` (the gateway, the hub's metrics port) gathers every process over the
 * bus. Read only when scraped: the requests themselves only count. Returns the unsubscribe.
 */
export function answerMetrics(transport: Transport, actor: string, metrics: ActorMetrics, isProcess: boolean): () => void {
  const answer = (request: { respond(body: string): void }) => {
    metrics.snapshot().then(
      (snapshot) => request.respond(JSON.stringify(snapshot)),
      () => request.respond("[]"),
    );
  };
  if (isProcess) ofProcess = { metrics, transport };
  const stops = [transport.listen(metricsSubject(), answer), transport.listen(metricsSubject(actor), answer)];
  return () => {
    stops.forEach((stop) => stop());
    if (ofProcess?.metrics === metrics) ofProcess = undefined;
  };
}

/** The registry of the actor this process runs, for the gateway's HTTP figures; none with metrics off. */
export function processMetrics(): ActorMetrics | undefined {
  return ofProcess?.metrics;
}

/** Longest wait for the processes' answers in one scrape, and the silence after which it ends early. */
const SCRAPE = { timeoutMs: 2_000, stallMs: 250 };

/**
 * Every process's metrics gathered over the bus and merged into one exposition (the gateway's
 * `GET /metrics`), or undefined when this process keeps none (metrics off).
 */
export async function scrapeMetrics(): Promise<{ text: string; contentType: string } | undefined> {
  const own = ofProcess;
  if (!own) return undefined;
  return scrapeBus(async (subject) => (await own.transport.gather(subject, "", SCRAPE)).map((r) => r.data));
}

/**
 * Every process's metrics gathered over the bus, unmerged (the dashboard's history reads a few
 * series of each), or undefined when this process keeps none (metrics off).
 */
export async function gatherMetricSnapshots(): Promise<MetricsSnapshot[] | undefined> {
  const own = ofProcess;
  if (!own) return undefined;
  return snapshotsOf((await own.transport.gather(metricsSubject(), "", SCRAPE)).map((r) => r.data));
}
