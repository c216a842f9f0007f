import type { SqlExecutor } from "./executor.ts";

/** What `ctx.db` did: one statement (with its SQL text), a batch of several, or a whole transaction. */
export type MeasuredWork = "statement" | "batch" | "transaction";

/**
 * Told how long each piece of `ctx.db` work took and, when it failed, with what: the actor's
 * metrics. `sql` is the statement's text (for its kind), empty for a batch or a transaction.
 */
export type StatementMeasure = (work: MeasuredWork, sql: string, seconds: number, error?: unknown) => void;

/** Times `fn` and tells `measure` how it ended. */
export async function measure<T>(to: StatementMeasure, work: MeasuredWork, sql: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await fn();
    to(work, sql, (performance.now() - started) / 1000);
    return result;
  } catch (error) {
    to(work, sql, (performance.now() - started) / 1000, error);
    throw error;
  }
}

/** An executor whose statements and batches are measured. */
export function measuredExecutor(executor: SqlExecutor, to: StatementMeasure): SqlExecutor {
  return {
    execute: (statement) => measure(to, "statement", statement.sql, () => executor.execute(statement)),
    batch: (statements) => measure(to, "batch", "", () => executor.batch(statements)),
  };
}
