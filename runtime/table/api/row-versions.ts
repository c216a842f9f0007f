import { FuseError, NotFoundError, ValidationError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import type { SqlExecutor } from "../connection/executor.ts";
import { versionColumnOf, type TableSchema } from "../schema/table-schema.ts";
import { quote, whereClause, type Where } from "./where-clause.ts";

/** The table's version column, or a VALIDATION_FAILED saying how to declare one. */
export function requireVersionColumn(schema: TableSchema, what: string): string {
  const column = versionColumnOf(schema);
  if (column) return column;
  throw new ValidationError(`${schema.table}: ${what} needs a version column; declare one in its schema, e.g. "version": { "type": "integer", "version": true }`);
}

export function checkVersion(schema: TableSchema, version: unknown): number {
  if (Number.isInteger(version) && (version as number) >= 1) return version as number;
  throw new ValidationError(`${schema.table}: version must be a positive integer (the row's version column as read), got ${JSON.stringify(version)}`);
}

/** Fuse raises the version itself; a row or change that sets it would defeat the check. */
export function refuseVersionIn(schema: TableSchema, row: Record<string, unknown>, what: string): void {
  const column = versionColumnOf(schema);
  if (column && row[column] !== undefined) {
    throw new ValidationError(`${schema.table}.${column}: is the table's version column, raised by Fuse on every ${what}; leave it out`, {
      details: { issues: [{ path: column, code: "custom", message: "managed by Fuse" }] },
    });
  }
}

function shown(where: Where): string {
  const text = JSON.stringify(where);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * Why an update at `expected` changed nothing: NOT_FOUND when no row matches `where` at all,
 * else CONFLICT with the version there now. Read after the fact, so only a diagnosis: the
 * update itself was atomic.
 */
export async function staleVersionError(db: SqlExecutor, schema: TableSchema, where: Where, expected: number): Promise<FuseError> {
  const column = requireVersionColumn(schema, "an update with a version");
  const w = whereClause(schema, where);
  const result = await db.execute({ sql: `SELECT ${quote(column)} AS v FROM ${quote(schema.table)}${w.sql} LIMIT 1`, args: w.args });
  const row = result.rows[0];
  if (!row) return new NotFoundError(ErrorCode.NOT_FOUND, `${schema.table}: no row matches ${shown(where)}`, { details: { table: schema.table, where } });
  const actual = Number(row.v);
  return new FuseError(ErrorCode.CONFLICT, `${schema.table}: expected version ${expected} where ${shown(where)}, but it is ${actual}; read the row again and retry`, {
    details: { table: schema.table, where, expectedVersion: expected, actualVersion: actual },
  });
}
