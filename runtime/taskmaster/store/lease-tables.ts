import type { SqlExecutor } from "../../sdk/internal.ts";

/**
 * The database's clock in epoch ms. Leases, slots and rate buckets are compared with it, never
 * with a taskmaster's own clock, so instances on machines whose clocks disagree still agree
 * on when a lease has run out.
 */
export const DB_NOW = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

/**
 * Tables that let several taskmasters share the runs: live instances with their lease, events
 * handed over to a run's owner, concurrency slots and rate buckets of limited endpoints.
 */
const LEASE_TABLES = [
  `CREATE TABLE IF NOT EXISTS fuse_task_owners (
    instance TEXT PRIMARY KEY,
    lease_until INTEGER NOT NULL,
    started_at INTEGER NOT NULL
  )`,
  // An event delivered to one instance for a step that waits on another: the owner reads it.
  `CREATE TABLE IF NOT EXISTS fuse_task_inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    step_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL
  )`,
  "CREATE INDEX IF NOT EXISTS fuse_task_inbox_by_run ON fuse_task_inbox (run_id)",
  `CREATE TABLE IF NOT EXISTS fuse_task_slots (
    endpoint TEXT NOT NULL,
    slot INTEGER NOT NULL,
    holder TEXT,
    until INTEGER,
    PRIMARY KEY (endpoint, slot)
  )`,
  `CREATE TABLE IF NOT EXISTS fuse_task_rates (
    endpoint TEXT PRIMARY KEY,
    at INTEGER NOT NULL
  )`,
];

/** Creates the lease tables and gives `fuse_task_runs` its `owner` column when missing. */
export async function ensureLeaseTables(executor: SqlExecutor): Promise<void> {
  await executor.batch(LEASE_TABLES.map((sql) => ({ sql, args: [] })));
  const { rows } = await executor.execute({ sql: "PRAGMA table_info(fuse_task_runs)", args: [] });
  if (rows.some((r) => r.name === "owner")) return;
  try {
    await executor.batch([
      { sql: "ALTER TABLE fuse_task_runs ADD COLUMN owner TEXT", args: [] },
      { sql: "CREATE INDEX IF NOT EXISTS fuse_task_runs_by_owner ON fuse_task_runs (owner, status)", args: [] },
    ]);
  } catch (error) {
    // Another instance starting at the same moment added it first.
    const again = await executor.execute({ sql: "PRAGMA table_info(fuse_task_runs)", args: [] });
    if (!again.rows.some((r) => r.name === "owner")) throw error;
  }
}
