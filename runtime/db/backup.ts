import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import Libsql from "libsql";
import { NotFoundError } from "../errors/index.ts";
import { ErrorCode } from "../protocol/index.ts";
import { MAX_REQUEST_BYTES, encodedSize, quote, type Database, type DatabaseScope, type SqlValue } from "../table/index.ts";

const BATCH = 500;
// Well under SQLite's limit of bound parameters per statement (32 766).
const PARAMS = 8000;
// sqld's answer to a read whose rows exceed its response size limit.
const RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE";

export interface BackupInfo {
  file: string;
  tables: { name: string; rows: number }[];
  bytes: number;
  at: number;
}

/** A row as the embedded driver reads it: blobs come as ArrayBuffers. */
type StoredRow = Record<string, SqlValue | ArrayBuffer>;

interface MasterRow extends Record<string, unknown> {
  name: string;
  type: string;
  sql: string | null;
}

/**
 * An online backup: every table's definition and rows, read in one read transaction (a
 * consistent snapshot while writers go on), written to a SQLite file with embedded libSQL.
 */
export async function backupDatabase(db: Database, dir: string, now = Date.now()): Promise<BackupInfo> {
  // A backup is the whole database: readable by this user only, folder and file.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = path.join(dir, `backup-${new Date(now).toISOString().replace(/[:.]/g, "-")}.db`);
  // Created empty with its mode first (SQLite takes an empty file as an empty database).
  closeSync(openSync(file, "wx", 0o600));
  chmodSync(file, 0o600);
  const out = new Libsql(file);
  const tables: BackupInfo["tables"] = [];
  try {
    await db.transaction(async (tx) => {
      const master = await tx.sql<MasterRow>("SELECT name, type, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type DESC");
      for (const m of master.filter((x) => x.type === "table")) out.exec(m.sql!);
      for (const m of master.filter((x) => x.type === "table")) {
        let copied = 0;
        for (let page = BATCH; ; ) {
          const rows = await readPage(tx, m.name, copied, page);
          if (rows === "too large") {
            page = Math.ceil(page / 2);
            continue;
          }
          if (!rows.length) break;
          const columns = Object.keys(rows[0]!);
          const insert = out.prepare(`INSERT INTO ${quote(m.name)} (${columns.map(quote).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
          // Blobs come from the server as ArrayBuffers; the embedded driver binds Buffers.
          out.transaction(() => rows.forEach((r) => insert.run(...columns.map((c) => (r[c] instanceof ArrayBuffer ? Buffer.from(r[c]) : (r[c] as SqlValue))))))();
          copied += rows.length;
        }
        tables.push({ name: m.name, rows: copied });
      }
      for (const m of master.filter((x) => x.type === "index")) out.exec(m.sql!);
    }, { mode: "read" });
  } finally {
    out.close();
  }
  return { file, tables, bytes: statSync(file).size, at: now };
}

/**
 * `limit` rows of `table` from `offset`, or "too large" when the server will not send that many
 * at once (it caps a response's size; rows of large values need smaller pages).
 */
async function readPage(tx: DatabaseScope, table: string, offset: number, limit: number): Promise<Record<string, unknown>[] | "too large"> {
  try {
    return await tx.sql(`SELECT * FROM ${quote(table)} LIMIT ? OFFSET ?`, [limit, offset]);
  } catch (error) {
    if (limit > 1 && (error as { code?: string }).code === RESPONSE_TOO_LARGE) return "too large";
    throw error;
  }
}

/** Replaces the rows of every table in the backup with the backup's, in one write transaction. */
export async function restoreDatabase(db: Database, file: string): Promise<{ tables: { name: string; rows: number }[] }> {
  let source: InstanceType<typeof Libsql>;
  try {
    source = new Libsql(file, { fileMustExist: true } as never);
  } catch {
    throw new NotFoundError(ErrorCode.NOT_FOUND, `no backup file ${file}`);
  }
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

/** Deletes all but the newest `keep` backups in `dir`. */
export function pruneBackups(dir: string, keep: number): string[] {
  const files = readdirSync(dir).filter((f) => /^backup-.*\.db$/.test(f)).sort();
  const removed = files.slice(0, Math.max(0, files.length - keep));
  for (const f of removed) rmSync(path.join(dir, f), { force: true });
  return removed;
}
