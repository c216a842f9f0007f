import { ValidationError } from "../../errors/index.ts";
import { loneSurrogateAt, refuseText } from "../connection/check-statements.ts";
import { columnOf, encodeValue, type SqlValue } from "./column-values.ts";
import type { TableSchema } from "../schema/table-schema.ts";

/** A condition on one column: a value (equality) or operators. */
export type Condition =
  | unknown
  | { eq?: unknown; ne?: unknown; gt?: unknown; gte?: unknown; lt?: unknown; lte?: unknown; in?: unknown[]; like?: string; isNull?: boolean };

/** Column → condition; every condition must hold. */
export type Where = Record<string, Condition>;

const OPERATORS: Record<string, string> = { eq: "=", ne: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=" };

/** `"name"` for a known column: identifiers come only from the schema, values only as `?`. */
export function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

function isOperators(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Uint8Array || value instanceof Date) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => k in OPERATORS || k === "in" || k === "like" || k === "isNull");
}

/** `WHERE …` with its bound values; empty text when there is no condition. */
export function whereClause(table: TableSchema, where: Where | undefined): { sql: string; args: SqlValue[] } {
  const parts: string[] = [];
  const args: SqlValue[] = [];
  for (const [column, condition] of Object.entries(where ?? {})) {
    const schema = columnOf(table, column);
    const col = quote(column);
    const encode = (v: unknown) => encodeValue(table.table, column, { ...schema, nullable: true }, v);
    if (!isOperators(condition)) {
      if (condition === null) parts.push(`${col} IS NULL`);
      else {
        parts.push(`${col} = ?`);
        args.push(encode(condition));
      }
      continue;
    }
    for (const [op, value] of Object.entries(condition)) {
      if (op === "in") {
        if (!Array.isArray(value)) throw new ValidationError(`${table.table}.${column}: "in" expects an array`);
        if (value.length === 0) parts.push("0");
        else {
          parts.push(`${col} IN (${value.map(() => "?").join(", ")})`);
          args.push(...value.map(encode));
        }
      } else if (op === "like") {
        if (typeof value !== "string") throw new ValidationError(`${table.table}.${column}: "like" expects a string pattern`);
        const at = loneSurrogateAt(value);
        if (at >= 0) refuseText(value, at, `${table.table}.${column} like`, column);
        parts.push(`${col} LIKE ?`);
        args.push(value);
      } else if (op === "isNull") {
        parts.push(`${col} IS ${value ? "" : "NOT "}NULL`);
      } else {
        parts.push(`${col} ${OPERATORS[op]} ?`);
        args.push(encode(value));
      }
    }
  }
  return { sql: parts.length ? ` WHERE ${parts.join(" AND ")}` : "", args };
}

export type OrderBy = string | { column: string; direction?: "asc" | "desc" } | (string | { column: string; direction?: "asc" | "desc" })[];

/** `ORDER BY …` from known columns only; `"-name"` means descending. */
export function orderClause(table: TableSchema, orderBy: OrderBy | undefined): string {
  if (!orderBy) return "";
  const list = Array.isArray(orderBy) ? orderBy : [orderBy];
  const parts = list.map((item) => {
    const { column, direction } = typeof item === "string" ? (item.startsWith("-") ? { column: item.slice(1), direction: "desc" as const } : { column: item, direction: "asc" as const }) : item;
    columnOf(table, column);
    return `${quote(column)} ${direction === "desc" ? "DESC" : "ASC"}`;
  });
  return ` ORDER BY ${parts.join(", ")}`;
}
