import type { SqlExecutor, Statement } from "../../sdk/internal.ts";
import { rowShape, rowStatement } from "./row-upserts.ts";

const ITEM_ROW = rowShape("INSERT INTO fuse_task_items (run_id, step_id, item_index, output) VALUES", 4, "ON CONFLICT (run_id, step_id, item_index) DO UPDATE SET output = excluded.output");

/** SQL recording one succeeded fan-out item's output. */
export function itemStatement(runId: string, stepId: string, index: number, output: unknown): Statement {
  return rowStatement(ITEM_ROW, [runId, stepId, index, output === undefined ? null : JSON.stringify(output)]);
}

/** The succeeded items of a fan-out step, by index. */
export async function readItems(executor: SqlExecutor, runId: string, stepId: string): Promise<Map<number, unknown>> {
  const { rows } = await executor.execute({ sql: "SELECT item_index, output FROM fuse_task_items WHERE run_id = ? AND step_id = ?", args: [runId, stepId] });
  return new Map(rows.map((r) => [Number(r.item_index), typeof r.output === "string" ? (JSON.parse(r.output) as unknown) : undefined]));
}

/** SQL copying the succeeded items of `stepIds` from one run to another (a rerun keeps them). */
export function copyItemsStatement(fromRunId: string, toRunId: string, stepIds: readonly string[]): Statement {
  return {
    sql: `INSERT INTO fuse_task_items (run_id, step_id, item_index, output)
          SELECT ?, step_id, item_index, output FROM fuse_task_items WHERE run_id = ? AND step_id IN (${stepIds.map(() => "?").join(", ") || "NULL"})`,
    args: [toRunId, fromRunId, ...stepIds],
  };
}
