import { OutcomeUnknownError } from "../../errors/index.ts";
import type { SqlExecutor } from "../connection/executor.ts";
import { databaseText } from "../connection/constraint-error.ts";
import type { SqlValue, Statement } from "../connection/statement.ts";
import { quote } from "./where-clause.ts";

type Row = Record<string, unknown>;

// Each attempt waits up to 15 s for an unreachable server; a lost connection starts another.
const ATTEMPTS = 4;
const CONSTRAINT = /SQLITE_CONSTRAINT|UNIQUE constraint failed/;

function sameValue(stored: unknown, sent: SqlValue): boolean {
  if (sent === null) return stored === null;
  if (sent instanceof Uint8Array) {
    const bytes = stored instanceof ArrayBuffer ? new Uint8Array(stored) : stored;
    return bytes instanceof Uint8Array && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(sent);
  }
  if (typeof sent === "string") return stored === sent;
  return (typeof stored === "number" || typeof stored === "bigint") && String(stored) === String(sent);
}

/** Whether `stored` holds every value that was sent: the row this insert would have made. */
function isOurs(stored: Row | undefined, sent: Map<string, SqlValue>): boolean {
  if (!stored) return false;
  for (const [column, value] of sent) if (!sameValue(stored[column], value)) return false;
  return true;
}

/**
 * Settles an insert that ended in OUTCOME_UNKNOWN when the caller chose every row's primary key:
 * it looks the keys up (a read, repeated until the server answers). Every row there with the
 * values sent: the insert was applied, and those rows are its result. None there: it was not,
 * and it is sent again (a row another writer adds meanwhile makes it a constraint error, and
 * the keys are looked up again). Anything else cannot be settled: the original error.
 */
export async function settleKeyedInsert(db: SqlExecutor, table: string, primaryKey: string, inserts: Statement[], sent: Map<string, SqlValue>[], unknown: OutcomeUnknownError): Promise<Row[]> {
  const keys = sent.map((row) => row.get(primaryKey)!);
  const lookup = { sql: `SELECT * FROM ${quote(table)} WHERE ${quote(primaryKey)} IN (${keys.map(() => "?").join(", ")})`, args: keys };
  const send = () => (inserts.length === 1 ? db.execute(inserts[0]!).then((r) => [r]) : db.batch(inserts));
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    let found: Row[];
    try {
      found = (await db.execute(lookup)).rows;
    } catch {
      // The server stayed unreachable: what happened is still unknown.
      throw unknown;
    }
    const byKey = new Map(found.map((row) => [String(row[primaryKey]), row]));
    const ours = sent.map((row) => byKey.get(String(row.get(primaryKey))));
    if (ours.every((row, i) => isOurs(row, sent[i]!))) return ours as Row[];
    if (found.length > 0) throw unknown;
    try {
      return (await send()).map((result) => result.rows[0]!);
    } catch (error) {
      if (!(error instanceof OutcomeUnknownError) && !CONSTRAINT.test(databaseText(error))) throw error;
    }
  }
  throw unknown;
}
