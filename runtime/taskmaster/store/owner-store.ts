import type { SqlExecutor } from "../../sdk/internal.ts";
import type { StepOutcome } from "../run/step-outcome.ts";
import { DB_NOW } from "./lease-tables.ts";

// 'compensating' too: a failed run undoing its steps is not over (issue 16 point 4).
const UNFINISHED = "('pending', 'running', 'compensating')";

/** An event handed over to the instance that owns the run whose step awaits it. */
export interface InboxEvent {
  id: number;
  runId: string;
  stepId: string;
  topic: string;
  payload: unknown;
}

/**
 * Which taskmaster instance owns which run: each live instance holds a lease in
 * `fuse_task_owners` (renewed on the database's clock), each run names its owner in
 * `fuse_task_runs.owner`. A run whose owner's lease ran out is claimed by one statement, so
 * two instances cannot both take it.
 */
export class OwnerStore {
  constructor(private readonly executor: SqlExecutor) {}

  /** Records a new instance with a lease of `leaseMs`. */
  async register(instance: string, leaseMs: number): Promise<void> {
    await this.executor.execute({
      sql: `INSERT INTO fuse_task_owners (instance, lease_until, started_at) VALUES (?, ${DB_NOW} + ?, ${DB_NOW})`,
      args: [instance, leaseMs],
    });
  }

  /** Extends a lease still held; false when it had run out (the instance's runs may be someone else's now). */
  async renew(instance: string, leaseMs: number): Promise<boolean> {
    const { rowsAffected } = await this.executor.execute({
      sql: `UPDATE fuse_task_owners SET lease_until = ${DB_NOW} + ? WHERE instance = ? AND lease_until > ${DB_NOW}`,
      args: [leaseMs, instance],
    });
    return rowsAffected > 0;
  }

  /** Gives up a lease (a clean stop): the instance's unfinished runs can be claimed at once. */
  async release(instance: string): Promise<void> {
    await this.executor.execute({ sql: "DELETE FROM fuse_task_owners WHERE instance = ?", args: [instance] });
  }

  /**
   * Takes up to `limit` unfinished runs that have no live owner (none recorded, or one whose
   * lease ran out), oldest first; returns their ids. Leases that ran out a minute ago and own
   * nothing more are forgotten.
   */
  async claim(instance: string, limit: number): Promise<string[]> {
    const [claimed] = await this.executor.batch([
      {
        sql: `UPDATE fuse_task_runs SET owner = ? WHERE id IN (
                SELECT id FROM fuse_task_runs WHERE status IN ${UNFINISHED}
                  AND (owner IS NULL OR owner NOT IN (SELECT instance FROM fuse_task_owners WHERE lease_until > ${DB_NOW}))
                ORDER BY created_at LIMIT ?)
              RETURNING id`,
        args: [instance, limit],
      },
      {
        sql: `DELETE FROM fuse_task_owners WHERE lease_until < ${DB_NOW} - 60000
                AND instance NOT IN (SELECT owner FROM fuse_task_runs WHERE owner IS NOT NULL AND status IN ${UNFINISHED})`,
        args: [],
      },
    ]);
    return claimed!.rows.map((r) => String(r.id));
  }

  /** Runs of `instance` cancelled (by another instance) at or after `since`. */
  async cancelled(instance: string, since: number): Promise<string[]> {
    const { rows } = await this.executor.execute({
      sql: "SELECT id FROM fuse_task_runs WHERE owner = ? AND status = 'cancelled' AND ended_at >= ?",
      args: [instance, since],
    });
    return rows.map((r) => String(r.id));
  }

  /** Signal waits of `instance`'s unfinished runs that are decided: token and outcome. */
  async decidedSignals(instance: string): Promise<{ token: string; outcome: StepOutcome }[]> {
    const { rows } = await this.executor.execute({
      sql: `SELECT w.token, w.outcome FROM fuse_task_waits w JOIN fuse_task_runs r ON r.id = w.run_id
            WHERE r.owner = ? AND r.status IN ${UNFINISHED} AND w.kind = 'signal' AND w.outcome IS NOT NULL AND w.token IS NOT NULL`,
      args: [instance],
    });
    return rows.map((r) => ({ token: String(r.token), outcome: JSON.parse(String(r.outcome)) as StepOutcome }));
  }

  /**
   * Hands an event to the undecided waits of its topic whose run another instance owns
   * (`instance` delivered to its own waiting steps already); returns how many.
   */
  async forwardEvent(instance: string, topic: string, payload: unknown, now: number): Promise<number> {
    const { rowsAffected } = await this.executor.execute({
      sql: `INSERT INTO fuse_task_inbox (run_id, step_id, topic, payload, created_at)
            SELECT w.run_id, w.step_id, ?, ?, ? FROM fuse_task_waits w JOIN fuse_task_runs r ON r.id = w.run_id
            WHERE w.kind = 'event' AND w.event = ? AND w.outcome IS NULL AND r.status IN ${UNFINISHED}
              AND (r.owner IS NULL OR r.owner != ?)`,
      args: [topic, JSON.stringify(payload ?? null), now, topic, instance],
    });
    return rowsAffected;
  }

  /** Events handed over to the runs `instance` owns, oldest first. */
  async inbox(instance: string): Promise<InboxEvent[]> {
    const { rows } = await this.executor.execute({
      sql: `SELECT i.id, i.run_id, i.step_id, i.topic, i.payload FROM fuse_task_inbox i JOIN fuse_task_runs r ON r.id = i.run_id
            WHERE r.owner = ? ORDER BY i.id LIMIT 500`,
      args: [instance],
    });
    return rows.map((r) => ({ id: Number(r.id), runId: String(r.run_id), stepId: String(r.step_id), topic: String(r.topic), payload: JSON.parse(String(r.payload)) as unknown }));
  }

  /** Forgets handed-over events: those read, and any whose wait is decided or whose run ended. */
  async dropInbox(ids: number[]): Promise<void> {
    await this.executor.batch([
      ...(ids.length ? [{ sql: `DELETE FROM fuse_task_inbox WHERE id IN (${ids.map(() => "?").join(", ")})`, args: ids }] : []),
      {
        sql: `DELETE FROM fuse_task_inbox WHERE NOT EXISTS (SELECT 1 FROM fuse_task_waits w JOIN fuse_task_runs r ON r.id = w.run_id
                WHERE w.run_id = fuse_task_inbox.run_id AND w.step_id = fuse_task_inbox.step_id AND w.outcome IS NULL AND r.status IN ${UNFINISHED})`,
        args: [],
      },
    ]);
  }
}
