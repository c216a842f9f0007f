/**
 * The kinds of `ctx.db` work the metrics tell apart: a closed list, so the `kind` label never
 * carries SQL text or a table name. `batch` is several statements sent as one (the table API's
 * multi-row writes), `transaction` one `ctx.db.transaction()` from BEGIN to its end (its
 * statements are counted by their own kinds too).
 */
export const DB_KINDS = ["select", "insert", "update", "delete", "batch", "transaction", "other"] as const;
export type DbKind = (typeof DB_KINDS)[number];

const FIRST_WORD = /^\s*([A-Za-z]+)/;

/** The kind of one SQL statement by its first word; `WITH …`, `PRAGMA`, DDL and the rest are `other`. */
export function statementKind(sql: string): DbKind {
  const word = FIRST_WORD.exec(sql)?.[1]?.toLowerCase();
  return word === "select" || word === "insert" || word === "update" || word === "delete" ? word : "other";
}
