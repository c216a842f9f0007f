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
}

/** The part of a @libsql/client Client or Transaction this module uses. */
export interface LibsqlLike {
  execute(statement: { sql: string; args: InValue[] }): Promise<{ rows: ArrayLike<unknown>[]; columns: string[]; rowsAffected: number }>;
}

const BUSY = /SQLITE_BUSY|database is locked|SQLITE_LOCKED/i;
const RETRIES = 8;

/**
 * Runs statements on a libSQL client, as plain row objects. A write that meets a busy or
 * locked database is retried with backoff: concurrent writers queue instead of failing.
 */
export function libsqlExecutor(client: LibsqlLike): SqlExecutor {
  return {
    async execute(statement) {
      for (let attempt = 0; ; attempt++) {
        try {
          const result = await client.execute({ sql: statement.sql, args: statement.args as InValue[] });
          const rows = result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, (row as ArrayLike<unknown>)[i]])));
          return { rows, rowsAffected: result.rowsAffected };
        } catch (error) {
          if (!BUSY.test(String((error as Error).message)) || attempt >= RETRIES) {
            if (BUSY.test(String((error as Error).message))) throw new UnavailableError("the database stayed busy; try again", { cause: error });
            throw error;
          }
          await new Promise((r) => setTimeout(r, 10 * 2 ** attempt));
        }
      }
    },
  };
}
