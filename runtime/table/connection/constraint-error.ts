import { FuseError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import type { Statement } from "./statement.ts";

/**
 * SQLite's constraint failures, as embedded SQLite (`SqliteError`) and sqld (`ResponseError`)
 * both word them: `UNIQUE constraint failed: t.a, t.b`, `NOT NULL constraint failed: t.n`,
 * `CHECK constraint failed: <name or expression>`, `FOREIGN KEY constraint failed`.
 */
const FAILED = /\b(UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed(?::\s*([^\n]+))?/;
// The table a statement writes, for constraints whose message names none.
const TARGET = /^\s*(?:(?:INSERT|REPLACE)(?:\s+OR\s+\w+)?\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+("(?:[^"]|"")*"|[\w.]+)/i;

export type ConstraintKind = "UNIQUE" | "NOT NULL" | "CHECK" | "FOREIGN KEY";

/** What a constraint error says to the caller, besides its message. */
export interface ConstraintDetails {
  constraint: ConstraintKind;
  table?: string;
  columns?: string[];
  /** A CHECK constraint's name or expression. */
  check?: string;
}

interface ErrorLike {
  message?: unknown;
  cause?: unknown;
}

/** The text of an error and its causes: where a database error's own words are, once wrapped. */
export function databaseText(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as ErrorLike | undefined, depth = 0; e && typeof e === "object" && depth < 6; e = e.cause as ErrorLike | undefined, depth++) {
    parts.push(String(e.message ?? ""));
  }
  return parts.join(" | ");
}

function tableOf(statements: readonly Statement[]): string | undefined {
  for (const s of statements) {
    const name = TARGET.exec(s.sql)?.[1];
    if (name) return name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name;
  }
  return undefined;
}

const WHAT: Record<ConstraintKind, (many: boolean) => string> = {
  UNIQUE: (many) => `another row already has ${many ? "these values" : "this value"}`,
  "NOT NULL": () => "a value is required",
  CHECK: () => "the value breaks a CHECK rule of the table",
  "FOREIGN KEY": () => "the row refers to a row that does not exist, or other rows still refer to it",
};

/**
 * A constraint failure as CONFLICT (409): the message names the table, the column(s) and the
 * kind of constraint, never SQLite's own text or the values; that stays in `cause`, for the log.
 * Undefined for any other error.
 */
export function constraintError(error: unknown, statements: readonly Statement[]): FuseError | undefined {
  if (error instanceof FuseError) return undefined;
  const match = FAILED.exec(databaseText(error));
  if (!match) return undefined;
  const constraint = match[1] as ConstraintKind;
  const details: ConstraintDetails = { constraint };
  const subject = match[2]?.split(" | ")[0]?.trim();
  if (constraint === "UNIQUE" || constraint === "NOT NULL") {
    const names = (subject ?? "").split(/,\s*/).filter(Boolean);
    const dot = names[0]?.lastIndexOf(".") ?? -1;
    if (names[0] && dot > 0) details.table = names[0].slice(0, dot);
    details.columns = names.map((n) => n.slice(n.lastIndexOf(".") + 1));
  } else if (constraint === "CHECK" && subject) {
    details.check = subject;
  }
  details.table ??= tableOf(statements);
  const columns = details.columns ?? [];
  const where =
    columns.length === 1 ? `${details.table ?? "?"}.${columns[0]}` : columns.length > 1 ? `${details.table ?? "?"} (${columns.join(", ")})` : (details.table ?? "the database");
  const rule = details.check ? ` ${JSON.stringify(details.check)}` : "";
  return new FuseError(ErrorCode.CONFLICT, `${where}: ${WHAT[constraint](columns.length > 1)} (${constraint} constraint${rule})`, { details, cause: error });
}
