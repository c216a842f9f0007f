import type { InValue } from "@libsql/client";
import { UnavailableError } from "../errors/index.ts";
import type { SqlValue } from "./column-values.ts";

export interface Statement {
  sql: string;
  args: SqlValue[];
}

export interface StatementResult {
  rows: Record<string, unknown>[];
  rowsAffected: number;
}

/** What runs statements: a libSQL client, or a transaction of one. */
export interface SqlExecutor {
  execute(statement: Statement): Promise<StatementResult>;
  /** Runs the statements atomically: all of them or, when one fails, none. */
  batch(statements: Statement[]): Promise<StatementResult[]>;
}

type LibsqlResult = { rows: ArrayLike<unknown>[]; columns: string[]; rowsAffected: number };
type LibsqlStatement = { sql: string; args: InValue[] };

/** The part of a @libsql/client Client or Transaction this module uses. */
export interface LibsqlLike {
  execute(statement: LibsqlStatement): Promise<LibsqlResult>;
  /** A Client runs a batch in its own write transaction; a Transaction inside itself. */
  batch(statements: LibsqlStatement[], mode?: "write"): Promise<LibsqlResult[]>;
}

const BUSY = /SQLITE_BUSY|database is locked|SQLITE_LOCKED/i;
// How a lost server shows: fetch (http:), the hrana WebSocket (ws:), or the socket itself.
const UNREACHABLE = /fetch failed|ECONNREFUSED|ECONNRESET|socket hang up|WebSocket|HRANA_(WEBSOCKET|CLOSED)_ERROR/i;
const READ_ONLY = /^\s*(SELECT|PRAGMA)\b/i;
const BUSY_RETRIES = 8;
// Long enough for the hub to notice a dead sqld and start it again.
const UNREACHABLE_READ_MS = 15_000;

function describe(error: unknown): string {
  const e = error as Error & { code?: string; cause?: { code?: string; message?: string } };
  return [e.code, e.message, e.cause?.code, e.cause?.message].filter(Boolean).join(" ");
}

function toRows(result: LibsqlResult): StatementResult {
  const rows = result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, (row as ArrayLike<unknown>)[i]])));
  return { rows, rowsAffected: result.rowsAffected };
}

/**
 * Runs `attempt` again with backoff while the database is busy (concurrent writers queue
 * instead of failing) and, for reads only, while the server is unreachable (being revived).
 * A write that could not reach the server is not retried here: it may have been applied, so
 * the caller gets a retryable NO_LIVE_INSTANCE and decides.
 */
async function withRetries<T>(readOnly: boolean, attempt: () => Promise<T>): Promise<T> {
  const began = Date.now();
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const text = describe(error);
      const busy = BUSY.test(text);
      const unreachable = !busy && UNREACHABLE.test(text);
      const again = busy ? n < BUSY_RETRIES : unreachable && readOnly && Date.now() - began < UNREACHABLE_READ_MS;
      if (again) {
        await new Promise((r) => setTimeout(r, busy ? 10 * 2 ** n : Math.min(10 * 2 ** n, 500)));
        continue;
      }
      if (busy) throw new UnavailableError("the database stayed busy; try again", { cause: error });
      if (unreachable) throw new UnavailableError("the database server cannot be reached now; try again", { cause: error });
      throw error;
    }
  }
}

/** Runs statements on a libSQL client (or one of its transactions), as plain row objects. */
export function libsqlExecutor(client: LibsqlLike): SqlExecutor {
  return {
    execute: (statement) =>
      withRetries(READ_ONLY.test(statement.sql), async () => toRows(await client.execute({ sql: statement.sql, args: statement.args as InValue[] }))),
    batch: (statements) =>
      withRetries(statements.every((s) => READ_ONLY.test(s.sql)), async () =>
        (await client.batch(statements.map((s) => ({ sql: s.sql, args: s.args as InValue[] })), "write")).map(toRows),
      ),
  };
}
