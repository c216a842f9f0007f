/**
 * @module db
 * The `db` actor (migrations at start, tables, select, clear, drop, backup, restore) and its
 * online backups, a short composition of endpoint modules over one shared state.
 * May import: sdk, config, log, protocol, errors and table.
 */
export { createDbActor, type DbActorOptions } from "./db-actor.ts";
export { backupDatabase, restoreDatabase, pruneBackups, type BackupInfo } from "./backup.ts";
