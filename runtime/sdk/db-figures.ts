import { FuseError } from "../errors/index.ts";
import { OK_CODE, statementKind, type ActorMetrics } from "../metrics/index.ts";
import type { DatabaseOptions } from "../table/index.ts";

/** A code is a label value only in the shape codes have: a few words in capitals, never a message. */
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * `ctx.db`'s figures in the actor's metrics: each statement by its kind (from its first word),
 * each batch and transaction as one, with the code it failed with: Fuse's, or the database
 * client's own (`SQLITE_ERROR`, `SQLITE_CONSTRAINT_UNIQUE`…, a list the client fixes).
 */
export function dbFigures(metrics: ActorMetrics): NonNullable<DatabaseOptions["measure"]> {
  return (work, sql, seconds, error) => metrics.dbStatement(work === "statement" ? statementKind(sql) : work, error === undefined ? OK_CODE : codeOf(error), seconds);
}

function codeOf(error: unknown): string {
  if (error instanceof FuseError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && CODE.test(code) ? code : "UNKNOWN";
}
