import { z } from "zod";

/** Shorter, and each sample (a scatter-gather over every process) would cost more than it shows. */
const MIN_HISTORY_INTERVAL_MS = 250;
/** Longer, and a quarter hour would be a handful of points. */
const MAX_HISTORY_INTERVAL_MS = 60_000;

/**
 * `metrics:` in fuse.yaml: Prometheus figures of every process, served at the gateway's
 * `GET /metrics` and, with `port`, on a port of the hub's own (a hub without a gateway, or
 * scrapes kept off the public port).
 */
export const metricsConfigSchema = z.strictObject({
  /** Whether processes count requests, calls and process figures. Default true; false also turns `/metrics` off. */
  enabled: z.boolean().default(true),
  /** A port on which the hub serves `GET /metrics` itself (0: a free one, logged). Default: none. */
  port: z.number().int().min(0).max(65535).optional(),
  /** The address that port listens on. Default 127.0.0.1. */
  host: z.string().min(1).default("127.0.0.1"),
  /**
   * Ms between the samples the gateway takes of every process's figures for the dashboard's
   * charts and call graph (the last 15 minutes, at most 180 samples); 0 takes none. Default 10 000.
   */
  historyIntervalMs: z
    .number()
    .int()
    .refine((ms) => ms === 0 || (ms >= MIN_HISTORY_INTERVAL_MS && ms <= MAX_HISTORY_INTERVAL_MS), { message: `expected 0 (no history) or ms from ${MIN_HISTORY_INTERVAL_MS} to ${MAX_HISTORY_INTERVAL_MS}` })
    .default(10_000),
});

export type MetricsConfig = z.output<typeof metricsConfigSchema>;
