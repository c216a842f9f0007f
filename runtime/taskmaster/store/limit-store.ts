import type { SqlExecutor } from "../../sdk/internal.ts";
import { DB_NOW } from "./lease-tables.ts";

/**
 * Global limits of endpoints in the database, shared by every taskmaster instance. A
 * concurrency limit is a set of slots (`fuse_task_slots`), each taken by one UPDATE with a
 * lease so that a dead holder's slot comes free; a rate limit is one row per endpoint
 * (`fuse_task_rates.at`, the earliest time of the next start: a token bucket of one token),
 * advanced by one UPDATE. Times are the database's, so instances agree without synced clocks.
 */
export class LimitStore {
  constructor(private readonly executor: SqlExecutor) {}

  /** Makes `concurrency` slots for the endpoint (and drops slots above it); makes its rate row. */
  async prepare(endpoint: string, limit: { concurrency?: number; perSecond?: number }): Promise<void> {
    const statements = [];
    if (limit.concurrency !== undefined) {
      for (let slot = 0; slot < limit.concurrency; slot++) statements.push({ sql: "INSERT OR IGNORE INTO fuse_task_slots (endpoint, slot) VALUES (?, ?)", args: [endpoint, slot] });
      statements.push({ sql: "DELETE FROM fuse_task_slots WHERE endpoint = ? AND slot >= ?", args: [endpoint, limit.concurrency] });
    }
    if (limit.perSecond !== undefined) statements.push({ sql: "INSERT OR IGNORE INTO fuse_task_rates (endpoint, at) VALUES (?, 0)", args: [endpoint] });
    if (statements.length) await this.executor.batch(statements);
  }

  /** Takes a free slot (or one whose holder's lease ran out) for `holder`; its number, or undefined when all are taken. */
  async takeSlot(endpoint: string, holder: string, leaseMs: number): Promise<number | undefined> {
    const { rows } = await this.executor.execute({
      sql: `UPDATE fuse_task_slots SET holder = ?, until = ${DB_NOW} + ?
            WHERE endpoint = ? AND slot = (SELECT slot FROM fuse_task_slots WHERE endpoint = ? AND (holder IS NULL OR until < ${DB_NOW}) ORDER BY slot LIMIT 1)
            RETURNING slot`,
      args: [holder, leaseMs, endpoint, endpoint],
    });
    return rows[0] ? Number(rows[0].slot) : undefined;
  }

  async releaseSlot(endpoint: string, slot: number, holder: string): Promise<void> {
    await this.executor.execute({ sql: "UPDATE fuse_task_slots SET holder = NULL, until = NULL WHERE endpoint = ? AND slot = ? AND holder = ?", args: [endpoint, slot, holder] });
  }

  /** Extends the lease of every slot `holder` holds. */
  async renewSlots(holder: string, leaseMs: number): Promise<void> {
    await this.executor.execute({ sql: `UPDATE fuse_task_slots SET until = ${DB_NOW} + ? WHERE holder = ?`, args: [leaseMs, holder] });
  }

  /**
   * Takes the endpoint's next start if it is due (spacing starts `intervalMs` apart); returns
   * 0 when taken, else how many ms until it is due.
   */
  async takeStart(endpoint: string, intervalMs: number): Promise<number> {
    const [taken, due] = await this.executor.batch([
      { sql: `UPDATE fuse_task_rates SET at = MAX(at, ${DB_NOW}) + ? WHERE endpoint = ? AND at <= ${DB_NOW}`, args: [intervalMs, endpoint] },
      { sql: `SELECT at - ${DB_NOW} AS wait FROM fuse_task_rates WHERE endpoint = ?`, args: [endpoint] },
    ]);
    if (taken!.rowsAffected > 0) return 0;
    return Math.max(1, Math.ceil(Number(due!.rows[0]?.wait ?? 1)));
  }
}
