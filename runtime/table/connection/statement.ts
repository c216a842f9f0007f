/** A value as the database stores it (bound as a parameter, never spliced into SQL). */
export type SqlValue = string | number | bigint | Uint8Array | null;

/** SQL text with the values bound to its `?`. */
export interface Statement {
  sql: string;
  args: SqlValue[];
}
