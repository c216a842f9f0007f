import { z } from "zod";

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
});

export type MetricsConfig = z.output<typeof metricsConfigSchema>;
