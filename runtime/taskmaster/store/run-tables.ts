/** The taskmaster's own tables, created when missing. Names start with `fuse_task_`. */
export const RUN_TABLES = [
  `CREATE TABLE IF NOT EXISTS fuse_task_runs (
    id TEXT PRIMARY KEY,
    task TEXT NOT NULL,
    status TEXT NOT NULL,
    input TEXT NOT NULL,
    output TEXT,
    error TEXT,
    definition TEXT NOT NULL,
    file TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    ended_at INTEGER
  )`,
  "CREATE INDEX IF NOT EXISTS fuse_task_runs_by_task ON fuse_task_runs (task, created_at)",
  "CREATE INDEX IF NOT EXISTS fuse_task_runs_by_status ON fuse_task_runs (status, created_at)",
  `CREATE TABLE IF NOT EXISTS fuse_task_steps (
    run_id TEXT NOT NULL,
    step_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    output TEXT,
    error TEXT,
    started_at INTEGER,
    ended_at INTEGER,
    PRIMARY KEY (run_id, step_id)
  )`,
  // What a waiting step waits for (a timer, a retry's backoff, an event, a signal's token) and,
  // once decided, how the wait ended: set once (an event, a signal or the timeout, whichever
  // is stored first), so a token is single-use and a restart never decides twice.
  `CREATE TABLE IF NOT EXISTS fuse_task_waits (
    run_id TEXT NOT NULL,
    step_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    due_at INTEGER,
    event TEXT,
    token TEXT UNIQUE,
    outcome TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, step_id)
  )`,
];
