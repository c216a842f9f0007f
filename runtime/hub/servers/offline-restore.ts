import { existsSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "../../config/index.ts";
import { NotFoundError, ValidationError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { checkSqliteFile } from "./db-integrity.ts";
import { backupDirOf, beginRestore, finishRestore } from "./db-recovery.ts";
import { startSqld } from "./sqld.ts";

export interface OfflineRestoreResult {
  tables: { name: string; rows: number }[];
  /** Where the database it replaced went (nothing when there was none). */
  keptAt: string | undefined;
}

/**
 * `fuse db restore <file>` while the hub is down: the hub's database folder is moved aside (kept,
 * whatever state it is in) and a fresh one made from the backup, on a sqld started for that.
 * @throws NOT_FOUND for a backup that is not there; VALIDATION_FAILED for a file outside
 * `.fuse/backups/`, one that fails the integrity check, or a hub whose database is `db.url`.
 */
export async function restoreDatabaseOffline(hubDir: string, backup: string): Promise<OfflineRestoreResult> {
  const config = loadConfig(hubDir);
  if (config.db.url) throw new ValidationError("restore: the hub's database is db.url, not one it runs itself; start the hub and run the command again");
  const file = path.resolve(hubDir, backup);
  const backupDir = backupDirOf(hubDir);
  if (!file.startsWith(backupDir + path.sep)) throw new ValidationError(`restore: ${backup} is not in .fuse/backups/`);
  if (!existsSync(file)) throw new NotFoundError(ErrorCode.NOT_FOUND, `restore: no backup file ${backup}`);
  const problems = checkSqliteFile(file);
  if (problems.length) throw new ValidationError(`restore: ${backup} failed its integrity check (${problems.join("; ")}); pick an older backup`);
  const sqldDir = path.join(hubDir, ".fuse", "db");
  const keptAt = beginRestore(sqldDir, file);
  const sqld = await startSqld({ dir: sqldDir });
  try {
    const { tables } = await finishRestore(sqld.url, sqldDir, file);
    return { tables, keptAt };
  } finally {
    await sqld.stop();
  }
}
