import { ValidationError } from "../errors/index.ts";
import { INTERNAL_TABLE, dbContract } from "../protocol/index.ts";
import { defineEndpoint } from "../sdk/internal.ts";
import { quote } from "../table/index.ts";
import type { DbState } from "./db-state.ts";
import type { DeclaredColumn } from "./schema-from-columns.ts";

const { endpoints } = dbContract;

function refuseInternal(name: string, what: string): void {
  if (INTERNAL_TABLE.test(name)) throw new ValidationError(`${what} ${name}: the table is Fuse's own`);
}

/** Bytes as base64 and big integers as numbers, so a row always fits JSON. */
function jsonSafe(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Uint8Array ? { base64: Buffer.from(v).toString("base64") } : typeof v === "bigint" ? Number(v) : v;
  return out;
}

/**
 * `db.tables`, `db.select`, `db.clear` and `db.drop`. Fuse's own tables (`_fuse_*`, the
 * taskmaster's `fuse_task_*`) can be read by name but are neither listed, cleared nor dropped.
 */
export function tableEndpoints(state: DbState) {
  const { db } = state;
  return {
    tables: defineEndpoint({
      ...endpoints.tables,
      handler: async () => {
        const all = await db.sql<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
        const tables = [];
        for (const name of all.map((r) => r.name).filter((n) => !INTERNAL_TABLE.test(n))) {
          const declared = await db.sql<DeclaredColumn>("SELECT name, type, pk FROM pragma_table_info(?)", [name]);
          const kinds = state.kindsOf(name, declared);
          const columns = declared.map((c) => ({ name: c.name, type: c.type, kind: kinds.get(c.name)! }));
          const [{ n }] = (await db.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM ${quote(name)}`)) as [{ n: number }];
          const file = state.schemas.get(name)?.file;
          tables.push({ name, rows: Number(n), columns, ...(file ? { schema: file } : {}) });
        }
        return { tables };
      },
    }),
    select: defineEndpoint({
      ...endpoints.select,
      handler: async ({ table, where, orderBy, limit, offset }) => {
        const t = await state.tableOf(table);
        const rows = await t.find({ where, orderBy, limit, offset });
        return { rows: rows.map(jsonSafe), total: await t.count(where) };
      },
    }),
    clear: defineEndpoint({
      ...endpoints.clear,
      handler: async ({ table }) => {
        refuseInternal(table, "clear");
        await state.knownTable(table);
        return { deleted: (await db.executor().execute({ sql: `DELETE FROM ${quote(table)}`, args: [] })).rowsAffected };
      },
    }),
    drop: defineEndpoint({
      ...endpoints.drop,
      handler: async ({ table, confirm }) => {
        if (confirm !== table) throw new ValidationError(`drop ${table}: confirm must repeat the table's name, got ${JSON.stringify(confirm)}`);
        refuseInternal(table, "drop");
        await state.knownTable(table);
        await db.sql(`DROP TABLE ${quote(table)}`);
        return { dropped: table };
      },
    }),
  };
}
