import { loadConfig } from "../config/index.ts";
import { dbContract } from "../protocol/index.ts";
import { defineActor, type ActorContext } from "../sdk/internal.ts";
import { loadTableSchemas, migrate } from "../table/index.ts";
import { backupDatabase, pruneBackups } from "./backup.ts";
import { backupEndpoints } from "./backup-endpoints.ts";
import { DbState, type DbActorOptions } from "./db-state.ts";
import { tableEndpoints } from "./table-endpoints.ts";

export type { DbActorOptions } from "./db-state.ts";

/**
 * The `db` actor: at start it validates `schemas/` and migrates the database (refusing
 * destructive changes); its endpoints list, browse, clear, drop, back up and restore tables.
 */
export function createDbActor(options: DbActorOptions) {
  const state = new DbState(options);
  let timer: NodeJS.Timeout | undefined;

  const start = async (ctx: ActorContext) => {
    const loaded = loadTableSchemas(options.hubDir);
    for (const { error } of loaded.invalid) ctx.log.error({ err: error, code: error.code }, "table schema refused");
    state.schemas = loaded.tables;
    const applied = await migrate(state.db.executor(), [...state.schemas.values()]);
    ctx.log.info({ tables: state.schemas.size, applied: applied.map((c) => c.description) }, "database migrated");
    const backup = loadConfig(options.hubDir).db.backup;
    if (!backup) return;
    timer = setInterval(() => {
      backupDatabase(state.db, state.backupDir)
        .then((b) => (pruneBackups(state.backupDir, backup.keep), ctx.log.info({ file: b.file }, "backup written")))
        .catch((err) => ctx.log.error({ err }, "backup failed"));
    }, backup.everyMinutes * 60_000);
    timer.unref();
  };

  return defineActor({
    name: dbContract.actor,
    description: "The hub's database: tables from schemas/, browsing, backups",
    start,
    stop: () => {
      clearInterval(timer);
      state.db.close();
    },
    endpoints: { ...tableEndpoints(state), ...backupEndpoints(state) },
  });
}
