import type { Logger } from "../../log/index.ts";
import type { SqlExecutor } from "../../sdk/internal.ts";
import type { TaskDefinition } from "../schema/task-definition.ts";
import type { Payloads } from "../store/payloads.ts";
import { deleteExpiredBatch, type RetentionRule } from "../store/retention.ts";
import type { Clock } from "./clock.ts";

export interface RetentionOptions {
  executor: SqlExecutor;
  payloads: Payloads;
  /** The tasks served now: a task's own `retention` wins over the default. */
  tasks: () => readonly TaskDefinition[];
  /** Age after which a finished run is deleted, in ms. */
  defaultMs: number;
  clock: Clock;
  log: Logger;
  /** Runs deleted per transaction. Default 500. */
  batch?: number;
}

/**
 * Deletes finished runs older than their retention, with their steps, waits, fan-out items,
 * links and payload files, in bounded batches (one transaction each, the event loop free
 * between them). Runs not over are never deleted. Returns how many runs went.
 */
export async function applyRetention(options: RetentionOptions): Promise<number> {
  const batch = options.batch ?? 500;
  const own = options.tasks().filter((t) => t.retentionMs !== undefined);
  const rules: { rule: RetentionRule; except: string[] }[] = [
    ...own.map((t) => ({ rule: { task: t.name, maxAgeMs: t.retentionMs! }, except: [] })),
    { rule: { maxAgeMs: options.defaultMs }, except: own.map((t) => t.name) },
  ];
  let deleted = 0;
  for (const { rule, except } of rules) {
    for (;;) {
      const pass = await deleteExpiredBatch(options.executor, rule, except, options.clock.now(), batch);
      deleted += pass.runs;
      await options.payloads.delete(pass.files);
      if (pass.runs < batch) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  if (deleted) options.log.info({ runs: deleted }, "finished runs past their retention deleted");
  return deleted;
}

/** Applies retention now and then every `everyMs`; returns how to stop it. */
export function startRetention(options: RetentionOptions & { everyMs: number }): () => void {
  let running: Promise<unknown> | undefined;
  const tick = () => {
    running ??= applyRetention(options)
      .catch((err: unknown) => options.log.warn({ err }, "retention pass failed; trying again at the next"))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(tick, options.everyMs);
  timer.unref();
  tick();
  return () => clearInterval(timer);
}
