import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { ValidationError } from "../errors/index.ts";
import { dbContract } from "../protocol/index.ts";
import { defineEndpoint } from "../sdk/internal.ts";
import { backupDatabase, restoreDatabase } from "./backup.ts";
import type { DbState } from "./db-state.ts";

const { endpoints } = dbContract;

/** `db.backup`, `db.restore` and `db.backups`: online backups under `.fuse/backups/`. */
export function backupEndpoints(state: DbState) {
  const { db, backupDir } = state;
  const { hubDir } = state.options;
  return {
    backup: defineEndpoint({
      ...endpoints.backup,
      handler: async () => {
        const b = await backupDatabase(db, backupDir);
        return { file: path.relative(hubDir, b.file), bytes: b.bytes, tables: b.tables };
      },
    }),
    restore: defineEndpoint({
      ...endpoints.restore,
      handler: async ({ file }) => {
        const full = path.resolve(hubDir, file);
        if (!full.startsWith(backupDir + path.sep)) throw new ValidationError(`restore: ${file} is not in .fuse/backups/`);
        return restoreDatabase(db, full);
      },
    }),
    backups: defineEndpoint({
      ...endpoints.backups,
      handler: () => {
        const names = existsSync(backupDir) ? readdirSync(backupDir).filter((f) => f.endsWith(".db")).sort() : [];
        // A file pruned between the listing and its stat is left out, not an error.
        const backups = names.flatMap((f) => {
          const info = statSync(path.join(backupDir, f), { throwIfNoEntry: false });
          return info ? [{ file: path.join(".fuse", "backups", f), bytes: info.size, at: Math.round(info.mtimeMs) }] : [];
        });
        return { files: backups.map((b) => b.file), backups };
      },
    }),
  };
}
