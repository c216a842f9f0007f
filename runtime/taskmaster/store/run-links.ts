import type { SqlExecutor, Statement } from "../../sdk/internal.ts";

/** How runs relate, read both ways: reruns and their original, child runs and their parent's step. */
export interface RunLinks {
  rerunOf?: string;
  reruns?: string[];
  parent?: { runId: string; step: string };
  children?: { runId: string; step: string }[];
}

export type LinkKind = "rerun_of" | "child_of";

/** SQL recording that `runId` reran, or is a child of, `otherRunId` (at `stepId`). */
export function linkStatement(runId: string, kind: LinkKind, otherRunId: string, stepId?: string): Statement {
  return {
    sql: "INSERT INTO fuse_task_links (run_id, kind, other_run_id, step_id) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, kind) DO NOTHING",
    args: [runId, kind, otherRunId, stepId ?? null],
  };
}

/** Reads the links of a run (`fuse_task_links`) in both directions. */
export async function readLinks(executor: SqlExecutor, runId: string): Promise<RunLinks> {
  const [own, others] = await executor.batch([
    { sql: "SELECT kind, other_run_id, step_id FROM fuse_task_links WHERE run_id = ?", args: [runId] },
    { sql: "SELECT l.run_id, l.kind, l.step_id FROM fuse_task_links l JOIN fuse_task_runs r ON r.id = l.run_id WHERE l.other_run_id = ? ORDER BY r.created_at", args: [runId] },
  ]);
  const links: RunLinks = {};
  for (const row of own!.rows) {
    if (row.kind === "rerun_of") links.rerunOf = String(row.other_run_id);
    if (row.kind === "child_of") links.parent = { runId: String(row.other_run_id), step: String(row.step_id) };
  }
  for (const row of others!.rows) {
    if (row.kind === "rerun_of") (links.reruns ??= []).push(String(row.run_id));
    if (row.kind === "child_of") (links.children ??= []).push({ runId: String(row.run_id), step: String(row.step_id) });
  }
  return links;
}
