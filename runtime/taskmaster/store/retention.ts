import type { SqlExecutor } from "../../sdk/internal.ts";
import { FILE_REF_KEY } from "./payloads.ts";

/** Statuses of runs that are over; only these are ever deleted. */
export const FINAL_RUN_STATUSES = ["succeeded", "failed", "cancelled", "compensated", "compensation_failed"] as const;

export interface RetentionRule {
  /** Only runs of this task; undefined: every task not named by another rule. */
  task?: string;
  /** Runs that ended more than this many ms ago are deleted. */
  maxAgeMs: number;
}

export interface RetentionPass {
  /** Runs deleted in this pass. */
  runs: number;
  /** File names of large payloads the deleted rows referred to. */
  files: string[];
}

const FINAL = FINAL_RUN_STATUSES.map((s) => `'${s}'`).join(", ");
const FILE_PATTERN = `%"${FILE_REF_KEY}"%`;

function fileNames(rows: Record<string, unknown>[]): string[] {
  const names: string[] = [];
  for (const row of rows) {
    for (const value of Object.values(row)) {
      if (typeof value !== "string") continue;
      try {
        const parsed = JSON.parse(value) as Record<string, unknown>;
        if (typeof parsed?.[FILE_REF_KEY] === "string") names.push(parsed[FILE_REF_KEY] as string);
      } catch {
        // Not JSON: not a reference.
      }
    }
  }
  return names;
}

/**
 * Deletes one batch of finished runs older than the rule's age (with their steps, waits,
 * fan-out items and links) in one transaction; returns how many, and the payload files they
 * referred to. Runs not finished are never touched. Call it again while it deletes `batch`.
 */
export async function deleteExpiredBatch(executor: SqlExecutor, rule: RetentionRule, exceptTasks: readonly string[], now: number, batch: number): Promise<RetentionPass> {
  const where = [`status IN (${FINAL})`, "ended_at IS NOT NULL", "ended_at < ?"];
  const args: (string | number)[] = [now - rule.maxAgeMs];
  if (rule.task !== undefined) {
    where.push("task = ?");
    args.push(rule.task);
  } else if (exceptTasks.length) {
    where.push(`task NOT IN (${exceptTasks.map(() => "?").join(", ")})`);
    args.push(...exceptTasks);
  }
  const { rows } = await executor.execute({ sql: `SELECT id FROM fuse_task_runs WHERE ${where.join(" AND ")} ORDER BY ended_at LIMIT ?`, args: [...args, batch] });
  const ids = rows.map((r) => String(r.id));
  if (!ids.length) return { runs: 0, files: [] };
  const list = ids.map(() => "?").join(", ");
  const refs = await executor.batch([
    { sql: `SELECT input, output FROM fuse_task_runs WHERE id IN (${list}) AND (input LIKE ? OR output LIKE ?)`, args: [...ids, FILE_PATTERN, FILE_PATTERN] },
    { sql: `SELECT output FROM fuse_task_steps WHERE run_id IN (${list}) AND output LIKE ?`, args: [...ids, FILE_PATTERN] },
  ]);
  await executor.batch([
    { sql: `DELETE FROM fuse_task_steps WHERE run_id IN (${list})`, args: ids },
    { sql: `DELETE FROM fuse_task_waits WHERE run_id IN (${list})`, args: ids },
    { sql: `DELETE FROM fuse_task_items WHERE run_id IN (${list})`, args: ids },
    { sql: `DELETE FROM fuse_task_links WHERE run_id IN (${list})`, args: ids },
    // Re-checked: a run resumed meanwhile (never the case for a finished one) would stay.
    { sql: `DELETE FROM fuse_task_runs WHERE id IN (${list}) AND status IN (${FINAL})`, args: ids },
  ]);
  return { runs: ids.length, files: refs.flatMap((r) => fileNames(r.rows as Record<string, unknown>[])) };
}
