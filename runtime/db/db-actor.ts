import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "../config/index.ts";
import { NotFoundError, ValidationError } from "../errors/index.ts";
import { ErrorCode } from "../protocol/index.ts";
import { defineActor, defineEndpoint, z, type ActorContext } from "../sdk/index.ts";
import { Database, Table, loadTableSchemas, migrate, quote, type TableSchema } from "../table/index.ts";
import { backupDatabase, pruneBackups, restoreDatabase } from "./backup.ts";
import { schemaFromColumns, type DeclaredColumn } from "./schema-from-columns.ts";

export interface DbActorOptions {
  hubDir: string;
  dbUrl: string | undefined;
}

const INTERNAL = /^(_fuse|sqlite_|_litestream|libsql_)/;
const tableName = z.string().regex(/^[a-z_][a-z0-9_]*$/, "a table name");

/**
 * The `db` actor: at start it validates `schemas/` and migrates the database (refusing
 * destructive changes); its endpoints list, browse, clear, drop, back up and restore tables.
 */
export function createDbActor(options: DbActorOptions) {
  const db = new Database({ url: options.dbUrl, hubDir: options.hubDir });
  const backupDir = path.join(options.hubDir, ".fuse", "backups");
  let schemas = new Map<string, TableSchema & { file: string }>();
  let timer: NodeJS.Timeout | undefined;

  const knownTable = async (name: string) => {
    const rows = await db.sql<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [name]);
    if (!rows.length) throw new NotFoundError(ErrorCode.NOT_FOUND, `table "${name}": no such table`);
    return name;
  };
  const notInternal = (name: string, what: string) => {
    if (INTERNAL.test(name)) throw new ValidationError(`${what} ${name}: the table is Fuse's own`);
  };
  // Tables without a schema file (the taskmaster's, raw SQL ones) are browsed by their
  // declared column types.
  const tableOf = async (name: string): Promise<Table> => {
    await knownTable(name);
    const schema = schemas.get(name) ?? schemaFromColumns(name, await db.sql<DeclaredColumn>("SELECT name, type, pk FROM pragma_table_info(?)", [name]));
    return new Table(schema, db.executor());
  };

  const start = async (ctx: ActorContext) => {
    const loaded = loadTableSchemas(options.hubDir);
    for (const { error } of loaded.invalid) ctx.log.error({ err: error, code: error.code }, "table schema refused");
    schemas = loaded.tables;
    const applied = await migrate(db.executor(), [...schemas.values()]);
    ctx.log.info({ tables: schemas.size, applied: applied.map((c) => c.description) }, "database migrated");
    const backup = loadConfig(options.hubDir).db.backup;
    if (backup) {
      timer = setInterval(() => {
        backupDatabase(db, backupDir)
          .then((b) => (pruneBackups(backupDir, backup.keep), ctx.log.info({ file: b.file }, "backup written")))
          .catch((err) => ctx.log.error({ err }, "backup failed"));
      }, backup.everyMinutes * 60_000);
      timer.unref();
    }
  };

  return defineActor({
    name: "db",
    description: "The hub's database: tables from schemas/, browsing, backups",
    start,
    stop: () => {
      clearInterval(timer);
      db.close();
    },
    endpoints: {
      tables: defineEndpoint({
        description: "Every table with its columns and row count",
        input: z.object({}),
        output: z.object({
          tables: z.array(z.object({ name: z.string(), rows: z.number(), columns: z.array(z.object({ name: z.string(), type: z.string() })), schema: z.string().optional() })),
        }),
        handler: async () => {
          const names = (await db.sql<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).map((r) => r.name).filter((n) => !INTERNAL.test(n));
          const tables = [];
          for (const name of names) {
            const columns = (await db.sql<{ name: string; type: string }>(`SELECT name, type FROM pragma_table_info(?)`, [name])).map((c) => ({ name: c.name, type: c.type }));
            const [{ n }] = (await db.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM ${quote(name)}`)) as [{ n: number }];
            tables.push({ name, rows: Number(n), columns, ...(schemas.get(name) ? { schema: schemas.get(name)!.file } : {}) });
          }
          return { tables };
        },
      }),
      select: defineEndpoint({
        description: "Rows of a table, filtered, ordered and paged",
        input: z.object({
          table: tableName,
          where: z.record(z.string(), z.unknown()).optional(),
          orderBy: z.union([z.string(), z.array(z.string())]).optional(),
          limit: z.number().int().min(1).max(1000).default(50),
          offset: z.number().int().min(0).default(0),
        }),
        output: z.object({ rows: z.array(z.record(z.string(), z.unknown())), total: z.number() }),
        handler: async ({ table, where, orderBy, limit, offset }) => {
          const t = await tableOf(table);
          const rows = await t.find({ where, orderBy, limit, offset });
          return { rows: rows.map(jsonSafe), total: await t.count(where) };
        },
      }),
      clear: defineEndpoint({
        description: "Deletes every row of a table",
        input: z.object({ table: tableName }),
        output: z.object({ deleted: z.number() }),
        handler: async ({ table }) => {
          notInternal(table, "clear");
          await knownTable(table);
          return { deleted: (await db.executor().execute({ sql: `DELETE FROM ${quote(table)}`, args: [] })).rowsAffected };
        },
      }),
      drop: defineEndpoint({
        description: "Drops a table; `confirm` must repeat its name",
        input: z.object({ table: tableName, confirm: z.string() }),
        output: z.object({ dropped: z.string() }),
        handler: async ({ table, confirm }) => {
          if (confirm !== table) throw new ValidationError(`drop ${table}: confirm must repeat the table's name, got ${JSON.stringify(confirm)}`);
          notInternal(table, "drop");
          await knownTable(table);
          await db.sql(`DROP TABLE ${quote(table)}`);
          return { dropped: table };
        },
      }),
      backup: defineEndpoint({
        description: "Writes an online backup to .fuse/backups/",
        input: z.object({}),
        output: z.object({ file: z.string(), bytes: z.number(), tables: z.array(z.object({ name: z.string(), rows: z.number() })) }),
        handler: async () => {
          const b = await backupDatabase(db, backupDir);
          return { file: path.relative(options.hubDir, b.file), bytes: b.bytes, tables: b.tables };
        },
      }),
      restore: defineEndpoint({
        description: "Replaces the tables' rows with a backup's (a file under .fuse/backups/)",
        input: z.object({ file: z.string().min(1) }),
        output: z.object({ tables: z.array(z.object({ name: z.string(), rows: z.number() })) }),
        handler: async ({ file }) => {
          const full = path.resolve(options.hubDir, file);
          if (!full.startsWith(backupDir + path.sep)) throw new ValidationError(`restore: ${file} is not in .fuse/backups/`);
          return restoreDatabase(db, full);
        },
      }),
      backups: defineEndpoint({
        description: "The backups in .fuse/backups/",
        input: z.object({}),
        output: z.object({ files: z.array(z.string()) }),
        handler: async () => {
          return { files: existsSync(backupDir) ? readdirSync(backupDir).filter((f) => f.endsWith(".db")).sort().map((f) => path.join(".fuse", "backups", f)) : [] };
        },
      }),
    },
  });
}

/** Bytes as base64 so a row always fits JSON. */
function jsonSafe(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Uint8Array ? { base64: Buffer.from(v).toString("base64") } : typeof v === "bigint" ? Number(v) : v;
  return out;
}
