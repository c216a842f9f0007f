import { checkStatements } from "../check-statements.ts";
import type { SqlExecutor, StatementResult } from "../executor.ts";
import type { Statement } from "../statement.ts";
import type { LocalReplica } from "./local-replica.ts";

// Only a SELECT is read locally: a PRAGMA or a WITH may change the database.
const SELECT = /^\s*SELECT\b/i;

/**
 * Statements outside transactions with a local replica: a SELECT is read from the replica when it
 * is fresh enough (LocalReplica.fresh), every other statement and batch goes to the primary
 * through `primary`, unchanged, and its answer (applied or refused) makes the next reads wait for
 * a sync that includes it. A local read that fails for any reason is run on the primary instead,
 * whose answer is the one that counts.
 */
export function replicaExecutor(primary: SqlExecutor, replica: LocalReplica): SqlExecutor {
  const write = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } finally {
      replica.noteWrite();
    }
  };
  return {
    execute: async (statement: Statement): Promise<StatementResult> => {
      if (!SELECT.test(statement.sql)) return write(() => primary.execute(statement));
      if (replica.fresh()) {
        try {
          checkStatements([statement]);
          const { columns, rows } = replica.read(statement.sql, statement.args);
          return { rows: rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]]))), rowsAffected: 0 };
        } catch {
          // below: the primary answers
        }
      }
      replica.stats.primaryReads++;
      return primary.execute(statement);
    },
    batch: (statements) => write(() => primary.batch(statements)),
  };
}
