import { loadConfig } from "../../config/index.ts";
import type { ActorContext } from "../../sdk/internal.ts";
import type { Clock } from "../run/clock.ts";
import { startRetention } from "../run/retention-job.ts";
import { durationMs } from "../schema/duration.ts";
import type { TaskDefinition } from "../schema/task-definition.ts";
import { Payloads } from "../store/payloads.ts";
import type { RunStore } from "../store/run-store.ts";

export interface UpkeepOptions {
  /** Finished runs older than this are deleted, in ms. */
  retentionMs: number;
  /** How often retention runs, in ms. */
  retentionEveryMs: number;
  /** Largest payload kept in a row, in bytes. */
  payloadLimitBytes: number;
}

/** The config's `taskmaster:` (defaults when the file has none or cannot be read: the hub refuses a bad config before this runs). */
function configured(hubDir: string): UpkeepOptions {
  try {
    const { taskmaster } = loadConfig(hubDir);
    return { retentionMs: durationMs(taskmaster.retention), retentionEveryMs: taskmaster.retentionEveryMs, payloadLimitBytes: taskmaster.payloadLimitBytes };
  } catch {
    return { retentionMs: durationMs("30d"), retentionEveryMs: 600_000, payloadLimitBytes: 256 * 1024 };
  }
}

/**
 * What keeps the run store bounded: large payloads go to the taskmaster's files (set on the
 * store now), and `retention` starts deleting finished runs past their age.
 */
export function startTaskmasterUpkeep(hubDir: string, store: RunStore, ctx: ActorContext, overrides: Partial<UpkeepOptions> = {}) {
  const options = { ...configured(hubDir), ...overrides };
  store.payloads = new Payloads(ctx.files, options.payloadLimitBytes);
  return {
    retention: (tasks: () => readonly TaskDefinition[], clock: Clock) =>
      startRetention({ executor: store.executor, payloads: store.payloads, tasks, defaultMs: options.retentionMs, everyMs: options.retentionEveryMs, clock, log: ctx.log }),
  };
}
