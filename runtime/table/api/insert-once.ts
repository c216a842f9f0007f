import { createHash } from "node:crypto";
import { FuseError, OutcomeUnknownError, ValidationError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { loneSurrogateAt } from "../connection/check-statements.ts";
import type { SqlExecutor } from "../connection/executor.ts";
import { databaseText } from "../connection/constraint-error.ts";
import type { SqlValue, Statement } from "../connection/statement.ts";
import { quote } from "./where-clause.ts";

/** Fuse's own table of idempotency keys: which rows an insert with a key made. */
export const IDEMPOTENCY_TABLE = "_fuse_idempotency";
/** How long a key is remembered: a repeat within this time returns the first insert's rows. */
export const IDEMPOTENCY_KEEP_MS = 24 * 60 * 60 * 1000;
const MAX_KEY_LENGTH = 200;
// Each attempt waits up to 15 s for an unreachable server; a lost connection starts another.
const ATTEMPTS = 4;
const DUPLICATE_KEY = new RegExp(`UNIQUE constraint failed: ${IDEMPOTENCY_TABLE}\\.key`);
const NO_TABLE = new RegExp(`no such table: ${IDEMPOTENCY_TABLE}\\b`);

const CREATE: Statement[] = [
  { sql: `CREATE TABLE IF NOT EXISTS ${IDEMPOTENCY_TABLE} (key TEXT PRIMARY KEY, table_name TEXT NOT NULL, fingerprint TEXT NOT NULL, rowids TEXT NOT NULL, at INTEGER NOT NULL)`, args: [] },
  { sql: `CREATE INDEX IF NOT EXISTS ${IDEMPOTENCY_TABLE}_at_idx ON ${IDEMPOTENCY_TABLE} (at)`, args: [] },
];

type Row = Record<string, unknown>;

/** A digest of the rows as the caller gave them, to tell a repeat from another insert under the same key. */
export function fingerprintRows(rows: Map<string, SqlValue>[]): string {
  const hash = createHash("sha256");
  for (const row of rows) {
    for (const column of [...row.keys()].sort()) {
      const value = row.get(column)!;
      hash.update(`${column}\0${typeof value}\0`);
      hash.update(value instanceof Uint8Array ? value : String(value));
      hash.update("\0");
    }
    hash.update("\n");
  }
  return hash.digest("base64url");
}

function checkKey(table: string, key: unknown): string {
  if (typeof key === "string" && key.length > 0 && key.length <= MAX_KEY_LENGTH && loneSurrogateAt(key) < 0) return key;
  throw new ValidationError(`${table} insert: idempotencyKey: expected a string of 1 to ${MAX_KEY_LENGTH} characters (no lone surrogate), got ${JSON.stringify(key)?.slice(0, 60) ?? typeof key}`, {
    details: { issues: [{ path: "idempotencyKey", code: "invalid_type", message: `expected a string of 1 to ${MAX_KEY_LENGTH} characters` }] },
  });
}

/** The rows a first insert under `key` made, as they are now; undefined when the key is not known. */
async function firstResult(db: SqlExecutor, table: string, key: string, fingerprint: string): Promise<Row[] | undefined> {
  const [record] = (await db.execute({ sql: `SELECT table_name, fingerprint, rowids FROM ${IDEMPOTENCY_TABLE} WHERE key = ?`, args: [key] })).rows;
  if (!record) return undefined;
  if (record.table_name !== table || record.fingerprint !== fingerprint) {
    throw new FuseError(ErrorCode.CONFLICT, `${table} insert: idempotency key ${JSON.stringify(key)} was first used for another insert (into ${String(record.table_name)}); use a new key for a new insert`, {
      details: { idempotencyKey: key, table: record.table_name },
    });
  }
  const sql = `SELECT r.* FROM json_each(?) AS j JOIN ${quote(table)} AS r ON r.rowid = j.value ORDER BY j.key`;
  return (await db.execute({ sql, args: [record.rowids as string] })).rows;
}

/**
 * Inserts rows at most once per idempotency key: the key goes into `_fuse_idempotency` with the
 * new rows' rowids in the same atomic batch, so a repeat (after OUTCOME_UNKNOWN, or a caller's
 * retry) finds the key and returns the first insert's rows as they are now. A lost connection
 * is recovered here by sending the batch again, which that makes safe.
 * @throws CONFLICT when the key was used for another insert; OUTCOME_UNKNOWN when the server
 *   stays unreachable (repeat with the same key).
 */
export async function insertOnce(db: SqlExecutor, table: string, inserts: Statement[], key: unknown, fingerprint: string, now = Date.now()): Promise<Row[]> {
  const k = checkKey(table, key);
  const record = { sql: `UPDATE ${IDEMPOTENCY_TABLE} SET rowids = json_insert(rowids, '$[#]', last_insert_rowid()) WHERE key = ?`, args: [k] };
  const batch: Statement[] = [
    { sql: `DELETE FROM ${IDEMPOTENCY_TABLE} WHERE at < ?`, args: [now - IDEMPOTENCY_KEEP_MS] },
    { sql: `INSERT INTO ${IDEMPOTENCY_TABLE} (key, table_name, fingerprint, rowids, at) VALUES (?, ?, ?, '[]', ?)`, args: [k, table, fingerprint, now] },
    ...inserts.flatMap((insert) => [insert, record]),
  ];
  let unknown: OutcomeUnknownError | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const results = await db.batch(batch);
      return inserts.map((_, i) => results[2 + 2 * i]!.rows[0]!);
    } catch (error) {
      // SQLite's own words: a constraint error keeps them in its cause.
      const text = databaseText(error);
      if (DUPLICATE_KEY.test(text)) {
        const first = await firstResult(db, table, k, fingerprint);
        if (first) return first;
      } else if (NO_TABLE.test(text)) {
        await db.batch(CREATE);
      } else if (error instanceof OutcomeUnknownError) {
        unknown = error;
      } else {
        // After a lost connection, "cannot be reached" is no longer "certainly not applied".
        if (unknown && error instanceof FuseError && error.code === ErrorCode.NO_LIVE_INSTANCE) break;
        throw error;
      }
    }
  }
  throw new OutcomeUnknownError(`${table} insert with idempotency key ${JSON.stringify(k)}: the connection to the database was lost and it cannot be reached again to find out whether the insert was applied; repeat it with the same key`, {
    cause: unknown,
    details: { idempotencyKey: k },
  });
}
