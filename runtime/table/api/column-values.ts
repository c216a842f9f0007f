import { ValidationError } from "../../errors/index.ts";
import { loneSurrogateAt, refuseText } from "../connection/check-statements.ts";
import type { SqlValue } from "../connection/statement.ts";
import type { ColumnSchema, TableSchema } from "../schema/table-schema.ts";

export type { SqlValue } from "../connection/statement.ts";

function fail(table: string, column: string, expected: string, value: unknown): never {
  const shown = value instanceof Uint8Array ? `${value.length} bytes` : JSON.stringify(value)?.slice(0, 60);
  throw new ValidationError(`${table}.${column}: expected ${expected}, got ${shown}`, {
    details: { issues: [{ path: column, code: "invalid_type", message: `expected ${expected}` }] },
  });
}

/** Checks a value against its column and turns it into what the database stores. */
export function encodeValue(table: string, column: string, schema: ColumnSchema, value: unknown): SqlValue {
  if (value === null || value === undefined) {
    if (schema.nullable || schema.primaryKey) return null;
    return fail(table, column, `a ${schema.type} (the column is not nullable)`, value);
  }
  switch (schema.type) {
    case "text": {
      if (typeof value !== "string") return fail(table, column, "a string", value);
      const at = loneSurrogateAt(value);
      return at < 0 ? value : refuseText(value, at, `${table}.${column}`, column);
    }
    case "integer":
      if (typeof value === "bigint") return value;
      return Number.isInteger(value) ? (value as number) : fail(table, column, "an integer", value);
    case "real":
      return typeof value === "number" && Number.isFinite(value) ? value : fail(table, column, "a number", value);
    case "boolean":
      return typeof value === "boolean" ? (value ? 1 : 0) : fail(table, column, "true or false", value);
    case "json":
      return JSON.stringify(value);
    case "timestamp": {
      const ms = value instanceof Date ? value.getTime() : typeof value === "string" ? Date.parse(value) : value;
      return typeof ms === "number" && Number.isFinite(ms) ? Math.round(ms) : fail(table, column, "a timestamp (epoch ms, Date or ISO string)", value);
    }
    case "blob":
      return value instanceof Uint8Array ? value : fail(table, column, "bytes (Uint8Array)", value);
  }
}

/** Turns a stored value back into its column's JavaScript type. */
export function decodeValue(schema: ColumnSchema | undefined, value: unknown): unknown {
  if (value === null || value === undefined || !schema) return value ?? null;
  switch (schema.type) {
    case "boolean":
      return Number(value) !== 0;
    case "json":
      return typeof value === "string" ? JSON.parse(value) : value;
    case "timestamp":
    case "integer":
      return typeof value === "bigint" ? Number(value) : value;
    case "blob":
      return value instanceof ArrayBuffer ? new Uint8Array(value) : value;
    default:
      return value;
  }
}

/** Checks that `column` is one of the table's, naming the table when it is not. */
export function columnOf(table: TableSchema, column: string): ColumnSchema {
  const schema = table.columns[column];
  if (schema) return schema;
  if (column === "rowid") return { type: "integer", nullable: false, unique: true, primaryKey: true };
  throw new ValidationError(`${table.table}: unknown column "${column}" (columns: ${Object.keys(table.columns).join(", ")})`, {
    details: { issues: [{ path: column, code: "unrecognized_keys", message: "unknown column" }] },
  });
}

/** Row object → stored values, checking each given column; unknown columns are refused. */
export function encodeRow(table: TableSchema, row: Record<string, unknown>): Map<string, SqlValue> {
  const out = new Map<string, SqlValue>();
  for (const [column, value] of Object.entries(row)) {
    if (value === undefined) continue;
    out.set(column, encodeValue(table.table, column, columnOf(table, column), value));
  }
  return out;
}

export function decodeRow(table: TableSchema, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) out[column] = decodeValue(table.columns[column], value);
  return out;
}
