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
  // How runs relate: `rerun_of` (run_id reran other_run_id), `child_of` (run_id is the child
  // of other_run_id's sub-task step step_id). Read both ways, so both runs show the link.
  `CREATE TABLE IF NOT EXISTS fuse_task_links (
    run_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    other_run_id TEXT NOT NULL,
    step_id TEXT,
    PRIMARY KEY (run_id, kind)
  )`,
  "CREATE INDEX IF NOT EXISTS fuse_task_links_by_other ON fuse_task_links (other_run_id, kind)",
  // A fan-out's items, each written when it succeeds: a restart (or a rerun) calls only the others.
  `CREATE TABLE IF NOT EXISTS fuse_task_items (
    run_id TEXT NOT NULL,
    step_id TEXT NOT NULL,
    item_index INTEGER NOT NULL,
    output TEXT,
    PRIMARY KEY (run_id, step_id, item_index)
  )`,
  // Retention deletes finished runs by age.
  "CREATE INDEX IF NOT EXISTS fuse_task_runs_by_end ON fuse_task_runs (ended_at)",
];
