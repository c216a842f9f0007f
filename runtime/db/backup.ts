import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import Libsql from "libsql";
import { quote, type Database, type DatabaseScope, type SqlValue } from "../table/index.ts";

// Restoring a backup is the table module's (the hub restores one at start, before any actor runs).
export { restoreDatabase } from "../table/internal.ts";

const BATCH = 500;
// sqld's answer to a read whose rows exceed its response size limit.
const RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE";

export interface BackupInfo {
  file: string;
  tables: { name: string; rows: number }[];
  bytes: number;
  at: number;
}

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

/** Deletes all but the newest `keep` backups in `dir`. */
export function pruneBackups(dir: string, keep: number): string[] {
  const files = readdirSync(dir).filter((f) => /^backup-.*\.db$/.test(f)).sort();
  const removed = files.slice(0, Math.max(0, files.length - keep));
  for (const f of removed) rmSync(path.join(dir, f), { force: true });
  return removed;
}
