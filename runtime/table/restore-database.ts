import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import Libsql from "libsql";
import { NotFoundError } from "../errors/index.ts";
import { ErrorCode } from "../protocol/index.ts";
import { MAX_REQUEST_BYTES, encodedSize } from "./connection/check-statements.ts";
import type { SqlValue } from "./api/column-values.ts";
import { quote } from "./api/where-clause.ts";
import type { Database } from "./database.ts";

// Well under SQLite's limit of bound parameters per statement (32 766).
const PARAMS = 8000;

/** A row as the embedded driver reads it: blobs come as ArrayBuffers. */
type StoredRow = Record<string, SqlValue | ArrayBuffer>;

interface MasterRow extends Record<string, unknown> {
  name: string;
  type: string;
  sql: string | null;
}

/** Replaces the rows of every table in the backup with the backup's, in one write transaction. */
export async function restoreDatabase(db: Database, file: string): Promise<{ tables: { name: string; rows: number }[] }> {
  // The libsql package ignores `fileMustExist` and `readonly` (it would make an empty file and
  // restore nothing); SQLite's URI parameter opens the backup read-only and fails when it is missing.
  if (!existsSync(file)) throw new NotFoundError(ErrorCode.NOT_FOUND, `no backup file ${file}`);
  const source = new Libsql(`${pathToFileURL(file).href}?mode=ro`);
  const tables: { name: string; rows: number }[] = [];
  try {
    const master = source.prepare("SELECT name, type, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type DESC").all() as MasterRow[];
    await db.transaction(async (tx) => {
      for (const m of master.filter((x) => x.type === "table")) {
        await tx.sql(m.sql!.replace(/^CREATE TABLE/i, "CREATE TABLE IF NOT EXISTS"));
        await tx.sql(`DELETE FROM ${quote(m.name)}`);
        const rows = source.prepare(`SELECT * FROM ${quote(m.name)}`).all() as StoredRow[];
        for (const statement of insertStatements(m.name, rows)) await tx.sql(statement.sql, statement.args);
        tables.push({ name: m.name, rows: rows.length });
      }
      // Indexes of a table the restore had to create again.
      for (const m of master.filter((x) => x.type === "index")) await tx.sql(m.sql!.replace(/^CREATE (UNIQUE )?INDEX/i, "CREATE $1INDEX IF NOT EXISTS"));
    });
  } finally {
    source.close();
  }
  return { tables };
}

/**
 * Multi-row INSERTs of at most PARAMS bound values and half the database's request limit each:
 * far fewer round trips than one a row, none too large to send.
 */
function insertStatements(table: string, rows: StoredRow[]): { sql: string; args: SqlValue[] }[] {
  if (!rows.length) return [];
  const columns = Object.keys(rows[0]!);
  const perStatement = Math.max(1, Math.floor(PARAMS / columns.length));
  const row = `(${columns.map(() => "?").join(", ")})`;
  const out = [];
  for (let i = 0; i < rows.length; ) {
    const args: SqlValue[] = [];
    let count = 0;
    for (let bytes = 0; i < rows.length && count < perStatement; i++, count++) {
      // The embedded driver reads blobs as ArrayBuffers; the database client binds bytes.
      const values = columns.map((c) => {
        const v = rows[i]![c] ?? null;
        return v instanceof ArrayBuffer ? new Uint8Array(v) : v;
      });
      bytes += encodedSize({ sql: row, args: values });
      if (count > 0 && bytes > MAX_REQUEST_BYTES / 2) break;
      args.push(...values);
    }
    out.push({ sql: `INSERT INTO ${quote(table)} (${columns.map(quote).join(", ")}) VALUES ${Array.from({ length: count }, () => row).join(", ")}`, args });
  }
  return out;
}
