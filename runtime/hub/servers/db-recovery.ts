import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DatabaseCorruptError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import { Database } from "../../table/index.ts";
import { restoreDatabase } from "../../table/internal.ts";
import { SQLD_DATA, checkSqliteFile, lastWriteOf, newestGoodBackup, sqldDataFile, type GoodBackup } from "./db-integrity.ts";

/** Written before a restore moves the database aside, removed once the backup's rows are in: its presence means a restore did not finish. */
const RESTORING = "restoring";

/** Where the hub keeps its backups (the `db` actor writes them). */
export function backupDirOf(hubDir: string): string {
  return path.join(hubDir, ".fuse", "backups");
}

const shellWord = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

/** The command that restores `backup` into the hub of `hubDir` while the hub is down. */
export function restoreCommand(hubDir: string, backup: string): string {
  return `fuse -C ${shellWord(hubDir)} db restore ${shellWord(path.relative(hubDir, backup))}`;
}

export interface CorruptDatabase {
  hubDir: string;
  /** The hub's database folder (`.fuse/db`). */
  sqldDir: string;
  /** The file that failed the check. */
  file: string;
  /** The check's first findings. */
  problems: string[];
  backup: GoodBackup | undefined;
  /** When the check ran (names the folder to move the database to). */
  now: number;
}

/** What an operator reads when `fuse up` refuses a corrupt database: what, where, and the one command that gets the hub going again. */
export function corruptDatabaseMessage(c: CorruptDatabase): string {
  const rel = (f: string) => path.relative(c.hubDir, f);
  const what = `${rel(c.file)} failed its integrity check (${c.problems.join("; ")}), so the hub did not start`;
  if (!c.backup) {
    const aside = `mv ${shellWord(path.join(c.sqldDir, SQLD_DATA))} ${shellWord(asideName(c.sqldDir, c.now))}`;
    return `${what}; there is no backup in ${rel(backupDirOf(c.hubDir))}/ that passes the check: to start on an empty database, move the corrupt one aside with \`${aside}\` and run \`fuse up\` again`;
  }
  return `${what}; the newest backup that passes the check is ${rel(c.backup.file)} of ${new Date(c.backup.at).toISOString()}: restore it with the hub down by \`${restoreCommand(c.hubDir, c.backup.file)}\` (the corrupt database is moved aside, not deleted), or set db.autoRestore: true in config/fuse.yaml to do so at start`;
}

/** Where a database folder set aside at `now` goes: beside it, named for the time. */
export function asideName(sqldDir: string, now: number): string {
  return path.join(sqldDir, `${SQLD_DATA}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, "-")}`);
}

/** Moves the database folder out of sqld's way (never deleting it); returns where it went. */
export function moveDatabaseAside(sqldDir: string, now = Date.now()): string | undefined {
  const from = path.join(sqldDir, SQLD_DATA);
  if (!existsSync(from)) return undefined;
  const to = asideName(sqldDir, now);
  renameSync(from, to);
  return to;
}

export interface Recovery {
  backup: GoodBackup;
  /** Where the corrupt database folder went. */
  keptAt: string | undefined;
  /** Writes from `from` (the backup's time) to `to` (the corrupt file's last write) are lost. */
  lost: { from: number; to: number };
}

/**
 * Before sqld starts: nothing for a healthy database (or none yet). A corrupt one (or a restore
 * that did not finish) is DATABASE_CORRUPT naming the newest good backup and the command that
 * restores it; with `autoRestore` and such a backup, the database folder is moved aside and the
 * answer says what to restore into the fresh one (`finishRecovery`, once sqld runs).
 */
export function checkHubDatabase(options: { hubDir: string; sqldDir: string; autoRestore: boolean; now?: number }): Recovery | undefined {
  const file = sqldDataFile(options.sqldDir);
  const marker = path.join(options.sqldDir, RESTORING);
  const unfinished = existsSync(marker) ? readFileSync(marker, "utf8").trim() : undefined;
  if (!unfinished && !existsSync(file)) return undefined;
  const problems = unfinished ? [`the restore of ${unfinished} did not finish`] : checkSqliteFile(file);
  if (!problems.length) return undefined;
  const backup = newestGoodBackup(backupDirOf(options.hubDir));
  const corrupt = { hubDir: options.hubDir, sqldDir: options.sqldDir, file, problems, backup, now: options.now ?? Date.now() };
  if (!backup || !options.autoRestore) {
    throw new DatabaseCorruptError(corruptDatabaseMessage(corrupt), {
      details: { file, problems, ...(backup ? { backup: backup.file, backupAt: backup.at, command: restoreCommand(options.hubDir, backup.file) } : {}) },
    });
  }
  const lostTo = existsSync(file) ? lastWriteOf(file) : (options.now ?? Date.now());
  return { backup, keptAt: beginRestore(options.sqldDir, backup.file, options.now), lost: { from: backup.at, to: lostTo } };
}

/** Marks a restore as begun and moves the database aside: sqld then starts on an empty folder. */
export function beginRestore(sqldDir: string, backup: string, now?: number): string | undefined {
  writeFileSync(path.join(sqldDir, RESTORING), `${backup}\n`, { mode: 0o600 });
  return moveDatabaseAside(sqldDir, now);
}

/** Copies the backup's rows into the fresh database at `url`, then clears the mark of the restore. */
export async function finishRestore(url: string, sqldDir: string, backup: string, authToken?: string): Promise<{ tables: { name: string; rows: number }[] }> {
  const db = new Database({ url, authToken });
  try {
    const restored = await restoreDatabase(db, backup);
    rmSync(path.join(sqldDir, RESTORING), { force: true });
    return restored;
  } finally {
    db.close();
  }
}

/** Restores what `checkHubDatabase` found into the hub's fresh sqld, and says loudly which writes were lost. */
export async function finishRecovery(url: string, sqldDir: string, recovery: Recovery, log: Logger, authToken?: string): Promise<void> {
  const { tables } = await finishRestore(url, sqldDir, recovery.backup.file, authToken);
  log.error(
    {
      backup: recovery.backup.file,
      corruptKeptAt: recovery.keptAt,
      lostFrom: new Date(recovery.lost.from).toISOString(),
      lostTo: new Date(recovery.lost.to).toISOString(),
      tables,
    },
    "database corrupt: restored from backup, writes from lostFrom to lostTo lost",
  );
}
