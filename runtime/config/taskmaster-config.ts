import { z } from "zod";
import { endpointLimitsSchema } from "./endpoint-limits-config.ts";

/**
 * `taskmaster:` in fuse.yaml: how long finished runs are kept, and the size above which a
 * step output or run input is kept in the taskmaster's files instead of the database row.
 */
export const taskmasterConfigSchema = z.strictObject({
  /** Finished runs older than this are deleted with their steps, waits and payload files: ms, or "30d", "12h", "90m", "45s". A task's own `retention` wins. */
  retention: z.union([z.number().int().positive(), z.string().regex(/^\d+(ms|s|m|h|d)$/, 'expected a duration such as "30d", "12h" or ms')]).default("30d"),
  /** How often the deletion runs, in ms. Default 10 minutes. */
  retentionEveryMs: z.number().int().positive().default(600_000),
  /** Largest step output, run input or run output kept in a database row, in bytes; larger ones go to files. Default 256 KiB. */
  payloadLimitBytes: z.number().int().min(1024).default(256 * 1024),
  /** Limits per endpoint across all runs and taskmaster instances: `{ "payments.charge": { concurrency: 10, perSecond: 50 } }`. */
  limits: endpointLimitsSchema.default({}),
});

export type TaskmasterConfig = z.output<typeof taskmasterConfigSchema>;
