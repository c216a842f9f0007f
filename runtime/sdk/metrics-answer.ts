import type { Transport } from "../bus/index.ts";
import { ActorMetrics, metricsSubject } from "../metrics/index.ts";

/**
 * Answers `$SRV.METRICS` and `$SRV.METRICS.<actor>` with this instance's registry as JSON, so
 * whoever serves `/metrics` (the gateway, the hub's metrics port) gathers every process over the
 * bus. Read only when scraped: the requests themselves only count. Returns the unsubscribe.
 */
export function answerMetrics(transport: Transport, actor: string, metrics: ActorMetrics): () => void {
  const answer = (request: { respond(body: string): void }) => {
    metrics.snapshot().then(
      (snapshot) => request.respond(JSON.stringify(snapshot)),
      () => request.respond("[]"),
    );
  };
  const stops = [transport.listen(metricsSubject(), answer), transport.listen(metricsSubject(actor), answer)];
  return () => stops.forEach((stop) => stop());
}
