import type { SqlExecutor } from "../../sdk/internal.ts";
import type { StepWait } from "../run/run-types.ts";
import type { StepOutcome } from "../run/step-outcome.ts";

/** A stored wait: what the step waits for and, once decided, how it ended. */
export interface StoredWait extends StepWait {
  runId: string;
  stepId: string;
  outcome?: StepOutcome;
}

type Row = Record<string, unknown>;

function toWait(row: Row): StoredWait {
  const wait: StoredWait = { runId: String(row.run_id), stepId: String(row.step_id), kind: String(row.kind) as StepWait["kind"] };
  if (row.due_at !== null && row.due_at !== undefined) wait.dueAt = Number(row.due_at);
  if (typeof row.event === "string") wait.event = row.event;
  if (typeof row.token === "string") wait.token = row.token;
  if (typeof row.outcome === "string") wait.outcome = JSON.parse(row.outcome) as StepOutcome;
  return wait;
}

/**
 * The waits of steps (`fuse_task_waits`): written before a step waits, so a timer keeps its due
 * time and a token stays valid across restarts; decided once, atomically.
 */
export class WaitStore {
  constructor(private readonly executor: SqlExecutor) {}

  /** Records what a step waits for (a retry's next due time replaces the last); never touches a decided outcome. */
  async save(runId: string, stepId: string, wait: StepWait, now: number): Promise<void> {
    await this.executor.execute({
      sql: `INSERT INTO fuse_task_waits (run_id, step_id, kind, due_at, event, token, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (run_id, step_id) DO UPDATE SET kind = excluded.kind, due_at = excluded.due_at, event = excluded.event, token = excluded.token
            WHERE fuse_task_waits.outcome IS NULL`,
      args: [runId, stepId, wait.kind, wait.dueAt ?? null, wait.event ?? null, wait.token ?? null, now],
    });
  }

  /**
   * Decides how a wait ended, unless something decided it first; returns the outcome that
   * stands (this one or the earlier one) and whether this one won. One transaction, so two
   * deciders cannot both win.
   */
  async decide(runId: string, stepId: string, kind: StepWait["kind"], outcome: StepOutcome, now: number): Promise<{ outcome: StepOutcome; won: boolean }> {
    const [written, selected] = await this.executor.batch([
      {
        sql: `INSERT INTO fuse_task_waits (run_id, step_id, kind, outcome, created_at) VALUES (?, ?, ?, ?, ?)
              ON CONFLICT (run_id, step_id) DO UPDATE SET outcome = excluded.outcome WHERE fuse_task_waits.outcome IS NULL`,
        args: [runId, stepId, kind, JSON.stringify(outcome), now],
      },
      { sql: "SELECT outcome FROM fuse_task_waits WHERE run_id = ? AND step_id = ?", args: [runId, stepId] },
    ]);
    return { outcome: JSON.parse(String(selected!.rows[0]!.outcome)) as StepOutcome, won: written!.rowsAffected > 0 };
  }

  async byToken(token: string): Promise<StoredWait | undefined> {
    const { rows } = await this.executor.execute({ sql: "SELECT * FROM fuse_task_waits WHERE token = ?", args: [token] });
    return rows[0] ? toWait(rows[0]) : undefined;
  }

  async ofRun(runId: string): Promise<StoredWait[]> {
    const { rows } = await this.executor.execute({ sql: "SELECT * FROM fuse_task_waits WHERE run_id = ?", args: [runId] });
    return rows.map(toWait);
  }

  async get(runId: string, stepId: string): Promise<StoredWait | undefined> {
    const { rows } = await this.executor.execute({ sql: "SELECT * FROM fuse_task_waits WHERE run_id = ? AND step_id = ?", args: [runId, stepId] });
    return rows[0] ? toWait(rows[0]) : undefined;
  }
}
