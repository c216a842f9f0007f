import type { Logger } from "../../log/index.ts";
import { MetricsHistory, type gatherMetricSnapshots } from "../../sdk/internal.ts";

export interface TrafficSamplerOptions {
  /** Ms between samples (`metrics.historyIntervalMs`). */
  intervalMs: number;
  /** Every process's snapshot, or undefined while this process keeps no metrics. */
  gather: typeof gatherMetricSnapshots;
  log: Logger;
}

export interface TrafficSampler {
  readonly history: MetricsHistory;
  stop(): Promise<void>;
}

/** The first sample (the baseline) comes sooner than a whole interval after the gateway starts. */
const FIRST_SAMPLE_MS = 1000;

/**
 * Samples every process's figures over the bus every `intervalMs` into the dashboard's history,
 * one sample at a time (a slow gather delays the next, never overlaps it), on a fixed rate so
 * the intervals stay even. A failed gather is logged once until one succeeds again; stopping
 * waits for a sample in flight.
 */
export function startTrafficSampler(options: TrafficSamplerOptions): TrafficSampler {
  const { intervalMs, gather, log } = options;
  const history = new MetricsHistory({ intervalMs });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let failing = false;
  let due = Date.now() + Math.min(FIRST_SAMPLE_MS, intervalMs);

  const sample = async () => {
    // The time the request went out: processes answer at once, while the gather waits out its stall after the last.
    const at = Date.now();
    try {
      const snapshots = await gather();
      if (snapshots && !stopped) history.record(at, snapshots);
      if (failing) log.info({}, "metrics history sampling resumed");
      failing = false;
    } catch (error) {
      if (!failing) log.warn({ err: error }, "metrics history sample failed");
      failing = true;
    }
  };
  const schedule = () => {
    if (stopped) return;
    // Skip the samples a stalled loop missed rather than take them back to back.
    while (due <= Date.now()) due += intervalMs;
    timer = setTimeout(tick, due - Date.now());
    timer.unref();
  };
  const tick = () => {
    running = sample().finally(() => {
      running = undefined;
      schedule();
    });
  };
  timer = setTimeout(tick, due - Date.now());
  timer.unref();

  return {
    history,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
