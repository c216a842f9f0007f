import { AggregatorRegistry, type Registry } from "prom-client";
import type { MetricsSnapshot } from "./actor-metrics.ts";

const decoder = new TextDecoder();

/**
 * The replies of `$SRV.METRICS` as snapshots; a reply that is not a snapshot (a process of an
 * older version, a garbled message) is left out rather than failing the whole scrape.
 */
export function snapshotsOf(replies: readonly Uint8Array[]): MetricsSnapshot[] {
  return replies.flatMap((data) => {
    try {
      const parsed = JSON.parse(decoder.decode(data)) as unknown;
      return Array.isArray(parsed) ? [parsed as MetricsSnapshot] : [];
    } catch {
      return [];
    }
  });
}

/**
 * One registry from the snapshots of many processes (prom-client's AggregatorRegistry): series
 * of the same name and labels are summed, and since each process labels its own with `actor`
 * and `actor_instance`, only figures that are one series on purpose are (none today). Metrics of the
 * same name must agree on their type and help, which they do as all come from metric-names.ts.
 */
export function mergeSnapshots(snapshots: readonly MetricsSnapshot[]): Registry {
  return AggregatorRegistry.aggregate(snapshots.filter((s) => s.length > 0) as Parameters<typeof AggregatorRegistry.aggregate>[0]);
}

/** The Prometheus text exposition of the merged snapshots, with its content type. */
export async function exposition(snapshots: readonly MetricsSnapshot[]): Promise<{ text: string; contentType: string }> {
  const registry = mergeSnapshots(snapshots);
  return { text: await registry.metrics(), contentType: registry.contentType };
}
