import { Database, type SqlExecutor, type Statement } from "../../sdk/internal.ts";
import { RUN_TABLES } from "./run-tables.ts";
import { Payloads } from "./payloads.ts";
import { rowShape, rowStatement } from "./row-upserts.ts";
import { ensureStepColumns } from "./step-columns.ts";
import type { RunRecord, RunStatus, StepRecord, StepStatus } from "../run/run-types.ts";

/** A run as stored, with the task schema it was started with. */
export interface StoredRun extends RunRecord {
  /** The task schema (JSON) the run was started with; a resumed run uses it, not the file of today. */
  definition: unknown;
  file: string;
}

/** A stored run as callers see it: without the task schema and file it was stored with. */
export function recordOf(run: StoredRun | RunRecord): RunRecord {
  const { definition: _d, file: _f, ...record } = run as StoredRun;
  return record;
}

export interface RunFilter {
  task?: string;
  status?: RunStatus;
  /** Only runs created at or after this epoch ms. */
  since?: number;
  /** Most runs to return, newest first. Default 50. */
  limit?: number;
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/** Each task definition's JSON, made once: every run of a task stores the same text. */
const definitionTexts = new WeakMap<object, string>();
function definitionText(definition: unknown): string {
  if (typeof definition !== "object" || definition === null) return JSON.stringify(definition);
  let text = definitionTexts.get(definition);
  if (text === undefined) definitionTexts.set(definition, (text = JSON.stringify(definition)));
  return text;
}
const parse = (text: unknown) => (typeof text === "string" ? (JSON.parse(text) as unknown) : undefined);
const num = (value: unknown) => (value === null || value === undefined ? undefined : Number(value));

function withOptional<T extends object>(target: T, fields: Record<string, unknown>): T {
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  return target;
}

type Row = Record<string, unknown>;

function toRun(row: Row): StoredRun {
  return withOptional(
    {
      id: String(row.id),
      task: String(row.task),
      status: String(row.status) as RunStatus,
      input: parse(row.input),
      traceId: String(row.trace_id),
      createdAt: Number(row.created_at),
      definition: parse(row.definition),
      file: String(row.file),
    },
    { output: parse(row.output), error: parse(row.error), startedAt: num(row.started_at), endedAt: num(row.ended_at) },
  );
}

/** A step's row; an output kept in a file is left as its reference (`{ "$fuseFile": … }`). */
function toStep(row: Row): StepRecord {
  return withOptional(
    { id: String(row.step_id), status: String(row.status) as StepStatus, attempts: Number(row.attempts) },
    { output: parse(row.output), error: parse(row.error), startedAt: num(row.started_at), endedAt: num(row.ended_at), reused: row.reused ? true : undefined },
  );
}

/** Step ids of compensation records in `fuse_task_steps`: `compensate:<step>` (a step id has no colon). */
export const COMPENSATION_PREFIX = "compensate:";

const STEP_ROW = rowShape(
  "INSERT INTO fuse_task_steps (run_id, step_id, status, attempts, output, error, started_at, ended_at, reused) VALUES",
  9,
  `ON CONFLICT (run_id, step_id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts,
     output = excluded.output, error = excluded.error, started_at = excluded.started_at, ended_at = excluded.ended_at, reused = excluded.reused`,
);

/** SQL for writing one step's record (insert or replace); `outputText` is the output's stored JSON when already made. */
export function stepStatement(runId: string, step: StepRecord, outputText?: string | null): Statement {
  return rowStatement(STEP_ROW, [runId, step.id, step.status, step.attempts, outputText !== undefined ? outputText : json(step.output), json(step.error), step.startedAt ?? null, step.endedAt ?? null, step.reused ? 1 : null]);
}

/**
 * SQL for recording a new run (`running` with its start time when it starts at once, or
 * already ended: recordNewRun's foldIntoInsert); `owner` is the taskmaster
 * instance that runs it (see RunLease); `outputText` is the output's stored JSON when made.
 */
export function insertStatement(run: StoredRun, idempotencyKey?: string, owner?: string, outputText?: string | null): Statement {
  // Only a leased run names its owner (the column is there once leases are in use).
  const owned = owner !== undefined;
  return {
    sql: `INSERT INTO fuse_task_runs (id, task, status, input, output, error, definition, file, trace_id, idempotency_key, created_at, started_at, ended_at${owned ? ", owner" : ""})
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?${owned ? ", ?" : ""})`,
    args: [
      run.id, run.task, run.status, JSON.stringify(run.input ?? null), outputText !== undefined ? outputText : json(run.output), json(run.error),
      definitionText(run.definition), run.file, run.traceId, idempotencyKey ?? null, run.createdAt, run.startedAt ?? null, run.endedAt ?? null, ...(owned ? [owner] : []),
    ],
  };
}

/** SQL for writing a run's status, output, error and timings; `outputText` is the output's stored JSON when already made. */
export function runStatement(run: RunRecord, outputText?: string | null): Statement {
  return {
    sql: "UPDATE fuse_task_runs SET status = ?, output = ?, error = ?, started_at = ?, ended_at = ? WHERE id = ?",
    args: [run.status, outputText !== undefined ? outputText : json(run.output), json(run.error), run.startedAt ?? null, run.endedAt ?? null, run.id],
  };
}

/**
 * Runs and their steps in the database (a sqld URL, or `file:` in tests), through the same
 * executor as `ctx.db`: one classification of what may be retried after a failure.
 */
export class RunStore {
  /** Where values over the payload limit go (the taskmaster's files); by default nowhere: every value stays in its row. */
  payloads = new Payloads(undefined);

  private constructor(
    private readonly db: Database,
    /** Runs statements: for the store itself, and for tests that look inside. */
    readonly executor: SqlExecutor,
  ) {}

  /** Connects and creates the tables when missing. */
  static async open(url: string, authToken?: string): Promise<RunStore> {
    const db = new Database({ url, authToken });
    const executor = db.executor();
    await executor.batch(RUN_TABLES.map((sql) => ({ sql, args: [] })));
    await ensureStepColumns(executor);
    return new RunStore(db, executor);
  }

  private async rows(sql: string, args: Statement["args"] = []): Promise<Row[]> {
    return (await this.executor.execute({ sql, args })).rows;
  }

  async write(statements: Statement[]): Promise<void> {
    if (statements.length) await this.executor.batch(statements);
  }

  async get(id: string): Promise<StoredRun | undefined> {
    const [row] = await this.rows("SELECT * FROM fuse_task_runs WHERE id = ?", [id]);
    return row ? toRun(row) : undefined;
  }

  async byIdempotencyKey(key: string): Promise<StoredRun | undefined> {
    const [row] = await this.rows("SELECT * FROM fuse_task_runs WHERE idempotency_key = ?", [key]);
    return row ? toRun(row) : undefined;
  }

  async steps(runId: string): Promise<StepRecord[]> {
    return (await this.rows("SELECT * FROM fuse_task_steps WHERE run_id = ?", [runId])).map(toStep);
  }

  /** Runs that had not finished when the taskmaster stopped (compensating ones too), oldest first. */
  async unfinished(): Promise<StoredRun[]> {
    return (await this.rows("SELECT * FROM fuse_task_runs WHERE status IN ('pending', 'running', 'compensating') ORDER BY created_at")).map(toRun);
  }

  async list(filter: RunFilter = {}): Promise<StoredRun[]> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, value: string | number) => {
      where.push(clause);
      args.push(value);
    };
    if (filter.task) add("task = ?", filter.task);
    if (filter.status) add("status = ?", filter.status);
    if (filter.since !== undefined) add("created_at >= ?", filter.since);
    args.push(filter.limit ?? 50);
    const sql = `SELECT * FROM fuse_task_runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    return (await this.rows(sql, args)).map(toRun);
  }

  close(): void {
    this.db.close();
  }
}
