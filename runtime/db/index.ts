/**
 * @module db
 * The `db` actor (migrations at start, tables, select, clear, drop, backup, restore) and its
 * online backups. Imports sdk, table, config, protocol and errors.
 */
export { createDbActor, type DbActorOptions } from "./db-actor.ts";
export { backupDatabase, restoreDatabase, pruneBackups, type BackupInfo } from "./backup.ts";
