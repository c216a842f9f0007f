import type { InValue } from "@libsql/client";
import { OutcomeUnknownError, UnavailableError } from "../../errors/index.ts";
import { checkStatements, statementHead } from "./check-statements.ts";
import { classifyFailure } from "./connection-failure.ts";
import { constraintError } from "./constraint-error.ts";
import type { Statement } from "./statement.ts";

export type { Statement } from "./statement.ts";

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

export interface LibsqlExecutorOptions {
  /** The statements run inside a transaction: a lost connection loses all of it. Default false. */
  transaction?: boolean;
  /** Shared by the statements of one database: see Reachability. */
  reachability?: Reachability;
}

/**
 * Whether a database answered lately, shared by its statements: once one statement has waited
 * the whole UNREACHABLE_RETRY_MS for a server that cannot be reached, the next ones try once
 * and fail at once (NO_LIVE_INSTANCE) rather than each waiting as long, until one is answered.
 * So calls fail fast while the database (or the cluster node that runs it) stays down, and a
 * brief loss (sqld revived by its hub) is still waited out by the statements it catches.
 */
export class Reachability {
  unreachableSince: number | undefined;
}

const READ_ONLY = /^\s*(SELECT|PRAGMA)\b/i;
const BUSY_RETRIES = 8;
// Long enough for the hub to notice a dead sqld and start it again.
export const UNREACHABLE_RETRY_MS = 15_000;

function toRows(result: LibsqlResult): StatementResult {
  const rows = result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, (row as ArrayLike<unknown>)[i]])));
  return { rows, rowsAffected: result.rowsAffected };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RetryScope {
  /** What is attempted, for messages: `INSERT INTO "notes"` (made only when one is needed). */
  what: () => string;
  /** Whether it only reads: then it may be repeated after any lost connection. */
  readOnly: boolean;
  /** Whether it runs inside a transaction: then a lost connection lost the transaction. */
  inTransaction?: boolean;
}

/**
 * Runs `attempt` again only where that is safe: while the database is busy (it refused the
 * statement), while the server cannot be reached and the request was never sent, and, for
 * reads, after any lost connection, for up to UNREACHABLE_RETRY_MS. A write whose connection
 * was lost after it was sent may have been applied: OUTCOME_UNKNOWN, never "try again".
 */
export async function withRetries<T>(scope: RetryScope, attempt: () => Promise<T>, reachability?: Reachability): Promise<T> {
  const began = Date.now();
  for (let busy = 0, lost = 0; ; ) {
    try {
      const result = await attempt();
      if (reachability) reachability.unreachableSince = undefined;
      return result;
    } catch (error) {
      const failure = classifyFailure(error);
      if (failure === undefined) throw error;
      if (failure === "busy") {
        if (busy >= BUSY_RETRIES) throw new UnavailableError(`${scope.what()}: the database stayed busy; try again`, { cause: error });
        await sleep(10 * 2 ** busy++);
        continue;
      }
      // The server ends an open transaction with its connection: none of it was committed.
      if (scope.inTransaction) throw new UnavailableError(`${scope.what()}: the connection to the database was lost inside a transaction, so none of it was committed; run the transaction again`, { cause: error });
      const safe = failure === "not-sent" || scope.readOnly;
      if (safe && reachability?.unreachableSince === undefined && Date.now() - began < UNREACHABLE_RETRY_MS) {
        await sleep(Math.min(10 * 2 ** lost++, 500));
        continue;
      }
      if (safe && reachability) reachability.unreachableSince ??= Date.now();
      if (safe) throw new UnavailableError(`${scope.what()}: the database server cannot be reached now; try again`, { cause: error });
      throw new OutcomeUnknownError(`${scope.what()}: the connection to the database was lost after the write was sent, so it may or may not have been applied; check before repeating it, or write with an idempotency key`, {
        cause: error,
        details: { statement: scope.what() },
      });
    }
  }
}

function scopeOf(statements: readonly Statement[], inTransaction: boolean): RetryScope {
  const what = () => (statements.length === 1 ? statementHead(statements[0]!.sql) : `a batch of ${statements.length} statements (${statementHead(statements[0]!.sql)} …)`);
  return { what, readOnly: statements.every((s) => READ_ONLY.test(s.sql)), inTransaction };
}

/**
 * Runs statements on a libSQL client (or one of its transactions), as plain row objects. A
 * constraint the database enforced (UNIQUE, NOT NULL, CHECK, FOREIGN KEY) comes out as CONFLICT
 * naming the table and columns; SQLite's own words stay in its `cause`.
 */
export function libsqlExecutor(client: LibsqlLike, options: LibsqlExecutorOptions = {}): SqlExecutor {
  const inTransaction = options.transaction ?? false;
  const { reachability } = options;
  return {
    execute: async (statement) => {
      checkStatements([statement]);
      try {
        return await withRetries(scopeOf([statement], inTransaction), async () => toRows(await client.execute({ sql: statement.sql, args: statement.args as InValue[] })), reachability);
      } catch (error) {
        throw constraintError(error, [statement]) ?? error;
      }
    },
    batch: async (statements) => {
      checkStatements(statements);
      try {
        return await withRetries(scopeOf(statements, inTransaction), async () => (await client.batch(statements.map((s) => ({ sql: s.sql, args: s.args as InValue[] })), "write")).map(toRows), reachability);
      } catch (error) {
        throw constraintError(error, statements) ?? error;
      }
    },
  };
}
