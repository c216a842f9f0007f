import type { DbShape } from "./db-shape.ts";
import { indexName, type ColumnSchema, type ColumnType, type TableSchema } from "./table-schema.ts";
import { quote } from "../api/where-clause.ts";

export interface Change {
  table: string;
  /** What it does, for people: `add column notes.pinned`. */
  description: string;
  sql: string[];
  /** Loses data (a dropped column, a changed type). */
  destructive: boolean;
}

export interface MigrationPlan {
  changes: Change[];
  /** Destructive changes the schema did not allow, and additive ones SQLite cannot make. */
  refused: { table: string; description: string; reason: string }[];
}

const DECL: Record<ColumnType, string> = { text: "TEXT", integer: "INTEGER", real: "REAL", boolean: "INTEGER", json: "TEXT", timestamp: "INTEGER", blob: "BLOB" };

/** A constant as an SQL literal; defaults come from schema files, so this never sees request data. */
function literal(column: ColumnSchema): string | undefined {
  // A version column added to a table that has rows starts them at 1, as inserts do.
  const value = column.version && column.default === undefined ? 1 : column.default;
  if (value === undefined || (column.type === "timestamp" && value === "now")) return undefined;
  if (value === null) return "NULL";
  if (column.type === "boolean") return value ? "1" : "0";
  if (column.type === "json") return `'${JSON.stringify(value).replaceAll("'", "''")}'`;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return `'${String(value).replaceAll("'", "''")}'`;
}

function columnSql(name: string, c: ColumnSchema, inline: boolean): string {
  const parts = [quote(name), DECL[c.type]];
  if (c.primaryKey) parts.push("PRIMARY KEY");
  if (!c.nullable && !c.primaryKey) parts.push("NOT NULL");
  if (c.unique && inline && !c.primaryKey) parts.push("UNIQUE");
  const def = literal(c);
  if (def !== undefined) parts.push(`DEFAULT ${def}`);
  if (c.references) parts.push(`REFERENCES ${quote(c.references.table)}(${quote(c.references.column)})`);
  return parts.join(" ");
}

function createTable(t: TableSchema): string {
  return `CREATE TABLE ${quote(t.table)} (${Object.entries(t.columns).map(([n, c]) => columnSql(n, c, true)).join(", ")})`;
}

function createIndex(table: string, name: string, columns: string[], unique: boolean): string {
  return `CREATE ${unique ? "UNIQUE " : ""}INDEX ${quote(name)} ON ${quote(table)} (${columns.map(quote).join(", ")})`;
}

/** Copies a table into its new shape: the way SQLite changes a column's type. */
function rebuild(t: TableSchema, keep: string[]): string[] {
  const tmp = `_fuse_rebuild_${t.table}`;
  const cols = keep.map(quote).join(", ");
  return [
    createTable({ ...t, table: tmp }),
    `INSERT INTO ${quote(tmp)} (${cols}) SELECT ${cols} FROM ${quote(t.table)}`,
    `DROP TABLE ${quote(t.table)}`,
    `ALTER TABLE ${quote(tmp)} RENAME TO ${quote(t.table)}`,
  ];
}

/**
 * The changes that take the database to the schemas: new tables, columns and indexes are
 * made; a dropped column or a changed type is made only when the schema allows destructive
 * changes, and refused (listed) otherwise. Tables without a schema are left alone. Pure.
 */
export function planMigration(current: DbShape, schemas: readonly TableSchema[]): MigrationPlan {
  const plan: MigrationPlan = { changes: [], refused: [] };
  for (const t of schemas) {
    const existing = current.get(t.table);
    const indexes = [
      ...t.indexes.map((i) => ({ name: indexName(t.table, i), columns: i.columns, unique: i.unique })),
    ];
    if (!existing) {
      plan.changes.push({ table: t.table, description: `create table ${t.table}`, sql: [createTable(t)], destructive: false });
      for (const i of indexes) plan.changes.push({ table: t.table, description: `create index ${i.name}`, sql: [createIndex(t.table, i.name, i.columns, i.unique)], destructive: false });
      continue;
    }
    const retyped: string[] = [];
    for (const [name, c] of Object.entries(t.columns)) {
      const have = existing.columns.get(name);
      if (!have) {
        const where = `${t.table}.${name}`;
        if (c.primaryKey) plan.refused.push({ table: t.table, description: `add column ${where}`, reason: "SQLite cannot add a primary key column to an existing table" });
        else if (!c.nullable && literal(c) === undefined) plan.refused.push({ table: t.table, description: `add column ${where}`, reason: "a new column that is not nullable needs a default" });
        else {
          plan.changes.push({ table: t.table, description: `add column ${where}`, sql: [`ALTER TABLE ${quote(t.table)} ADD COLUMN ${columnSql(name, c, false)}`], destructive: false });
          if (c.unique) indexes.push({ name: `${t.table}_${name}_unique`, columns: [name], unique: true });
        }
      } else if (have.decl !== DECL[c.type]) {
        retyped.push(`${name} ${have.decl} → ${DECL[c.type]}`);
      }
    }
    const dropped = [...existing.columns.keys()].filter((c) => !(c in t.columns));
    const destructive = [...dropped.map((c) => `drop column ${t.table}.${c}`), ...retyped.map((r) => `change type of ${t.table}.${r}`)];
    if (destructive.length && !t.allowDestructive) {
      for (const d of destructive) plan.refused.push({ table: t.table, description: d, reason: "it would lose data; set \"allowDestructive\": true in the schema to allow it" });
    } else if (retyped.length) {
      const keep = Object.keys(t.columns).filter((c) => existing.columns.has(c));
      plan.changes.push({ table: t.table, description: destructive.join(", "), sql: rebuild(t, keep), destructive: true });
      for (const i of indexes) plan.changes.push({ table: t.table, description: `create index ${i.name}`, sql: [createIndex(t.table, i.name, i.columns, i.unique)], destructive: false });
      continue;
    } else {
      for (const c of dropped) plan.changes.push({ table: t.table, description: `drop column ${t.table}.${c}`, sql: [`ALTER TABLE ${quote(t.table)} DROP COLUMN ${quote(c)}`], destructive: true });
    }
    for (const i of indexes) {
      if (!existing.indexes.has(i.name)) plan.changes.push({ table: t.table, description: `create index ${i.name}`, sql: [createIndex(t.table, i.name, i.columns, i.unique)], destructive: false });
    }
  }
  return plan;
}
