import type { MetricsSnapshot } from "./actor-metrics.ts";
import { exposition, snapshotsOf } from "./merge-metrics.ts";
import { metricsSubject } from "./metric-names.ts";

/** A scatter-gather on the bus: every reply to one request on `subject` within the window. */
export type GatherReplies = (subject: string) => Promise<Uint8Array[]>;

/**
 * One scrape: asks every process on the bus for its metrics (`$SRV.METRICS`), adds the
 * scraper's own snapshots, and merges them into one Prometheus exposition. A process that does
 * not answer in time is missing from this scrape only (Prometheus sees its series go stale).
 */
export async function scrapeBus(gather: GatherReplies, own: () => Promise<MetricsSnapshot[]> = async () => []): Promise<{ text: string; contentType: string }> {
  const [replies, local] = await Promise.all([gather(metricsSubject()), own()]);
  return exposition([...snapshotsOf(replies), ...local]);
}
