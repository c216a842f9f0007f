import { z } from "zod";
import { ADMIN_ROLE } from "../access.ts";
import { BuiltinActor } from "./builtin-actors.ts";
import { defineContract } from "./define-contract.ts";

/** Tables that belong to Fuse or to SQLite and libSQL themselves: listed by no one, cleared and dropped by no one. */
export const INTERNAL_TABLE = /^(_fuse|fuse_task_|sqlite_|_litestream|libsql_)/;

/** The column types of a table schema file; `db.tables` names each column's. */
export const COLUMN_TYPES = ["text", "integer", "real", "boolean", "json", "timestamp", "blob"] as const;

const tableName = z.string().regex(/^[a-z_][a-z0-9_]*$/, "a table name");
const tableRows = z.array(z.object({ name: z.string(), rows: z.number() }));
/** Reading rows and every write need the admin role; writes are logged with who asked. */
const adminRead = { access: { roles: [ADMIN_ROLE] } } as const;
const adminWrite = { ...adminRead, audit: true } as const;

/** The `db` actor's endpoints, as it serves them and the CLI and dashboard call them. */
export const dbContract = defineContract(BuiltinActor.db, {
  tables: {
    description: "Every table with its columns and row count",
    input: z.object({}),
    output: z.object({
      tables: z.array(
        z.object({
          name: z.string(),
          rows: z.number(),
          // type: as declared in SQL; kind: as the schema file says (read from `type` without one), which is how filters take values.
          columns: z.array(z.object({ name: z.string(), type: z.string(), kind: z.enum(COLUMN_TYPES) })),
          schema: z.string().optional(),
        }),
      ),
    }),
  },
  select: {
    description: "Rows of a table, filtered, ordered and paged",
    input: z.object({
      table: tableName,
      where: z.record(z.string(), z.unknown()).optional(),
      orderBy: z.union([z.string(), z.array(z.string())]).optional(),
      limit: z.number().int().min(1).max(1000).default(50),
      offset: z.number().int().min(0).default(0),
    }),
    output: z.object({ rows: z.array(z.record(z.string(), z.unknown())), total: z.number() }),
    ...adminRead,
  },
  clear: { description: "Deletes every row of a table", input: z.object({ table: tableName }), output: z.object({ deleted: z.number() }), ...adminWrite },
  drop: {
    description: "Drops a table; `confirm` must repeat its name",
    input: z.object({ table: tableName, confirm: z.string() }),
    output: z.object({ dropped: z.string() }),
    ...adminWrite,
  },
  backup: {
    description: "Writes an online backup to .fuse/backups/",
    input: z.object({}),
    output: z.object({ file: z.string(), bytes: z.number(), tables: tableRows }),
    ...adminWrite,
  },
  restore: {
    description: "Replaces the tables' rows with a backup's (a file under .fuse/backups/)",
    input: z.object({ file: z.string().min(1) }),
    output: z.object({ tables: tableRows }),
    ...adminWrite,
  },
  backups: {
    description: "The backups in .fuse/backups/, oldest first, with their size and when each was written",
    input: z.object({}),
    output: z.object({ files: z.array(z.string()), backups: z.array(z.object({ file: z.string(), bytes: z.number(), at: z.number() })) }),
  },
});
