import type { SqlExecutor } from "../connection/executor.ts";
import { quote } from "../api/where-clause.ts";

export interface ColumnShape {
  /** Declared SQL type, upper case (`TEXT`, `INTEGER`…). */
  decl: string;
  notNull: boolean;
  primaryKey: boolean;
}

export interface TableShape {
  columns: Map<string, ColumnShape>;
  /** Indexes made with CREATE INDEX (not those of constraints). */
  indexes: Map<string, { columns: string[]; unique: boolean }>;
}

export type DbShape = Map<string, TableShape>;

/** What tables, columns and indexes the database has now. */
export async function readDbShape(db: SqlExecutor): Promise<DbShape> {
  const shape: DbShape = new Map();
  const tables = await db.execute({ sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", args: [] });
  for (const { name } of tables.rows as { name: string }[]) {
    const columns = new Map<string, ColumnShape>();
    for (const c of (await db.execute({ sql: `PRAGMA table_info(${quote(name)})`, args: [] })).rows as { name: string; type: string; notnull: number; pk: number }[]) {
      columns.set(c.name, { decl: String(c.type).toUpperCase(), notNull: Number(c.notnull) === 1, primaryKey: Number(c.pk) > 0 });
    }
    const indexes = new Map<string, { columns: string[]; unique: boolean }>();
    for (const i of (await db.execute({ sql: `PRAGMA index_list(${quote(name)})`, args: [] })).rows as { name: string; unique: number; origin: string }[]) {
      if (i.origin !== "c") continue;
      const cols = (await db.execute({ sql: `PRAGMA index_info(${quote(i.name)})`, args: [] })).rows as { name: string }[];
      indexes.set(i.name, { columns: cols.map((c) => c.name), unique: Number(i.unique) === 1 });
    }
    shape.set(name, { columns, indexes });
  }
  return shape;
}
