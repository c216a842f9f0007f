import type { Transport } from "../../bus/index.ts";
import type { MetricsConfig } from "../../config/index.ts";
import type { Logger } from "../../log/index.ts";
import type { ActorStatus } from "../../protocol/index.ts";
import { HubMetrics, metricsSubject, scrapeBus, serveMetrics, type HubMetricsOptions as FigureSources } from "../../metrics/index.ts";

export interface HubMetricsOptions {
  transport: Transport;
  config: MetricsConfig;
  /** The supervisor's view (restarts, status, lag of every instance). */
  statuses(): ActorStatus[];
  natsMonitorUrl: string | undefined;
  /** What each collector of `logging.ship` was sent, when lines are shipped. */
  shipping?: FigureSources["shipping"];
  log: Logger;
}

/** Longest wait for every process's answer in one scrape; Prometheus's own scrape timeout is 10 s. */
const SCRAPE_WAIT_MS = 2_000;

/**
 * The hub's part in metrics: answers `$SRV.METRICS` with its supervision and nats-server
 * figures (so the gateway's `/metrics` has them too), and with `metrics.port` serves
 * `GET /metrics` itself, gathered over the bus as the gateway does. Returns the undo.
 */
export async function startHubMetrics(options: HubMetricsOptions): Promise<() => Promise<void>> {
  const { transport, config, log } = options;
  if (!config.enabled) return async () => {};
  const hub = new HubMetrics({ statuses: options.statuses, natsMonitorUrl: options.natsMonitorUrl, shipping: options.shipping });
  const stopAnswering = transport.listen(metricsSubject(), (request) => {
    hub.snapshot().then(
      (snapshot) => request.respond(JSON.stringify(snapshot)),
      (error: unknown) => {
        log.warn({ err: error }, "hub metrics not read");
        request.respond("[]");
      },
    );
  });
  // Every actor instance answers, and the hub twice (its control actor and these figures): the
  // scrape ends as soon as all have, instead of waiting out the window.
  const expected = () => options.statuses().filter((a) => a.kind === "actor").reduce((n, a) => n + a.instances.filter((i) => i.pid !== null).length, 0) + 2;
  const gather = async (subject: string) => (await transport.gather(subject, "", { timeoutMs: SCRAPE_WAIT_MS, max: expected() })).map((r) => r.data);
  const server = config.port === undefined ? undefined : await serveMetrics({ port: config.port, host: config.host, scrape: () => scrapeBus(gather), onError: (err) => log.warn({ err }, "metrics scrape failed") });
  if (server) log.info({ port: server.port, host: config.host }, "metrics served at /metrics");
  return async () => {
    stopAnswering();
    await server?.close();
  };
}
