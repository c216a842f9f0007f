import { z } from "zod";
import { COLUMN_TYPES } from "../../protocol/index.ts";

const NAME = /^[a-z_][a-z0-9_]*$/;
const name = (what: string) => z.string().regex(NAME, `${what} names are lowercase letters, digits and _`);

// Declared with the db actor's contract, which names each column's type to its callers.
export { COLUMN_TYPES };
export type ColumnType = (typeof COLUMN_TYPES)[number];

export const columnSchema = z.strictObject({
  type: z.enum(COLUMN_TYPES),
  /** Whether the column may hold null. Default false. */
  nullable: z.boolean().default(false),
  /** A constant default; `"now"` for timestamps means the insert time. */
  default: z.unknown().optional(),
  unique: z.boolean().default(false),
  /** An integer primary key numbers rows by itself. */
  primaryKey: z.boolean().default(false),
  references: z.strictObject({ table: name("table"), column: name("column").default("id") }).optional(),
  /**
   * An optimistic-concurrency version (an integer, at most one per table): 1 at insert, raised
   * by 1 by every update and upsert; `update(where, changes, { version })` applies only at that
   * version (CONFLICT otherwise). Managed by Fuse: updates may not set it.
   */
  version: z.boolean().optional(),
  description: z.string().optional(),
});

export const indexSchema = z.strictObject({
  columns: z.array(name("column")).min(1),
  unique: z.boolean().default(false),
  /** Default: `<table>_<columns>_idx`. */
  name: name("index").optional(),
});

/** A table schema file (`schemas/<table>.json`). */
export const tableSchemaSchema = z
  .strictObject({
    $schema: z.string().optional(),
    table: name("table").refine((t) => !t.startsWith("_fuse"), "names starting with _fuse are Fuse's own"),
    description: z.string().optional(),
    columns: z.record(name("column"), columnSchema).refine((c) => Object.keys(c).length > 0, "a table needs at least one column"),
    indexes: z.array(indexSchema).default([]),
    /** Allow destructive changes (dropped columns, changed types) at the next start. */
    allowDestructive: z.boolean().default(false),
  })
  .superRefine((t, ctx) => {
    const keys = Object.entries(t.columns).filter(([, c]) => c.primaryKey);
    if (keys.length > 1) ctx.addIssue({ code: "custom", path: ["columns", keys[1]![0], "primaryKey"], message: "only one column may be the primary key" });
    const versions = Object.entries(t.columns).filter(([, c]) => c.version);
    if (versions.length > 1) ctx.addIssue({ code: "custom", path: ["columns", versions[1]![0], "version"], message: `only one column may be the version (${versions[0]![0]} already is)` });
    for (const [column, c] of versions) {
      const path = ["columns", column, "version"];
      if (c.type !== "integer") ctx.addIssue({ code: "custom", path, message: `a version column must be of type "integer", not "${c.type}"` });
      else if (c.primaryKey || c.nullable || c.unique) ctx.addIssue({ code: "custom", path, message: "a version column cannot be the primary key, nullable or unique" });
      else if (c.default !== undefined) ctx.addIssue({ code: "custom", path, message: "a version column starts at 1 by itself; remove its default" });
    }
    t.indexes.forEach((index, i) =>
      index.columns.forEach((c, j) => {
        if (!(c in t.columns)) ctx.addIssue({ code: "custom", path: ["indexes", i, "columns", j], message: `unknown column "${c}"` });
      }),
    );
  });

export type TableSchema = z.output<typeof tableSchemaSchema>;
export type ColumnSchema = z.output<typeof columnSchema>;
export type IndexSchema = z.output<typeof indexSchema>;

/** The table's version column, if it declares one (`"version": true`). */
export function versionColumnOf(table: TableSchema): string | undefined {
  return Object.entries(table.columns).find(([, c]) => c.version)?.[0];
}

/** The primary key column of a table (an implicit `rowid` when none is declared). */
export function primaryKeyOf(table: TableSchema): string {
  return Object.entries(table.columns).find(([, c]) => c.primaryKey)?.[0] ?? "rowid";
}

export function indexName(table: string, index: IndexSchema): string {
  return index.name ?? `${table}_${index.columns.join("_")}_idx`;
}
