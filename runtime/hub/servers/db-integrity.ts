import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Libsql from "libsql";

/** sqld's folder under the hub's database folder (`--db-path`). */
export const SQLD_DATA = "data.sqld";

/** The SQLite file of sqld's default namespace (sqld 0.24 keeps it at `dbs/default/data`, beside its `wallog`). */
export function sqldDataFile(sqldDir: string): string {
  return path.join(sqldDir, SQLD_DATA, "dbs", "default", "data");
}

/** How many of the check's findings are kept: enough to say what is wrong, not a page of them. */
const FINDINGS = 5;

/**
 * `PRAGMA quick_check` of a SQLite file opened read-only: no finding when it passes, else the
 * check's first lines (or why the file could not be read as a database). quick_check, not
 * integrity_check: it reads every page and checks the b-trees, records and free list, and
 * leaves out only the index-against-table comparison, which costs several times as much again
 * (see the figures in the README) and finds no torn or overwritten page the quick one misses.
 */
export function checkSqliteFile(file: string): string[] {
  if (!existsSync(file)) return ["no such file"];
  let db: InstanceType<typeof Libsql> | undefined;
  try {
    // The libsql package ignores the `readonly` option; SQLite's own URI parameter is obeyed.
    db = new Libsql(`${pathToFileURL(file).href}?mode=ro`);
    const rows = db.prepare(`PRAGMA quick_check(${FINDINGS})`).all() as Record<string, unknown>[];
    const lines = rows.map((row) => String(Object.values(row)[0]));
    return lines.length === 1 && lines[0] === "ok" ? [] : lines;
  } catch (error) {
    return [(error as Error).message];
  } finally {
    db?.close();
  }
}

/** When a backup was written: from its name (`backup-2026-12-01T10-22-43-123Z.db`), else undefined. */
export function backupTime(name: string): number | undefined {
  const m = /^backup-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z\.db$/.exec(name);
  if (!m) return undefined;
  const at = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`);
  return Number.isNaN(at) ? undefined : at;
}

export interface GoodBackup {
  file: string;
  /** When it was written (epoch ms). */
  at: number;
}

/** The newest backup in `dir` that passes the check; newer ones that fail it are passed over. */
export function newestGoodBackup(dir: string): GoodBackup | undefined {
  if (!existsSync(dir)) return undefined;
  const backups = readdirSync(dir)
    .filter((name) => /^backup-.*\.db$/.test(name))
    .map((name) => ({ file: path.join(dir, name), at: backupTime(name) ?? statSync(path.join(dir, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  return backups.find((b) => checkSqliteFile(b.file).length === 0);
}

/** The last time anything was written to a SQLite file: its own or its write-ahead log's modification. */
export function lastWriteOf(file: string): number {
  return Math.max(...[file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => statSync(f).mtimeMs));
}
