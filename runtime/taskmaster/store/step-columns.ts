import type { SqlExecutor } from "../../sdk/internal.ts";

/**
 * Columns added to `fuse_task_steps` after its first release, added to a store made before:
 * `reused` (1 when a rerun took the step's output from the run it reran).
 */
export async function ensureStepColumns(executor: SqlExecutor): Promise<void> {
  const { rows } = await executor.execute({ sql: "PRAGMA table_info(fuse_task_steps)", args: [] });
  if (rows.some((r) => r.name === "reused")) return;
  try {
    await executor.execute({ sql: "ALTER TABLE fuse_task_steps ADD COLUMN reused INTEGER", args: [] });
  } catch (error) {
    // Another instance starting at the same moment added it first.
    const again = await executor.execute({ sql: "PRAGMA table_info(fuse_task_steps)", args: [] });
    if (!again.rows.some((r) => r.name === "reused")) throw error;
  }
}
