import { NotFoundError, OutcomeUnknownError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { decodeRow, encodeRow, encodeValue, columnOf, type SqlValue } from "./column-values.ts";
import type { SqlExecutor } from "../connection/executor.ts";
import { fingerprintRows, insertOnce } from "./insert-once.ts";
import { settleKeyedInsert } from "./settle-keyed-insert.ts";
import type { Statement } from "../connection/statement.ts";
import { orderClause, quote, whereClause, type OrderBy, type Where } from "./where-clause.ts";
import { primaryKeyOf, versionColumnOf, type TableSchema } from "../schema/table-schema.ts";
import { LOST_RACE, retryOnConflict, type ChangeOptions } from "./retry-on-conflict.ts";
import { checkVersion, refuseVersionIn, requireVersionColumn, staleVersionError } from "./row-versions.ts";

export interface FindOptions {
  where?: Where;
  orderBy?: OrderBy;
  limit?: number;
  offset?: number;
}

type Row = Record<string, unknown>;

export interface InsertOptions {
  /**
   * Makes the insert safe to repeat: the first insert under this key is applied once, and a
   * repeat within 24 hours returns its rows. Use one key per logical insert (for a request,
   * say `${ctx.idempotencyKey}:note`). 1 to 200 characters. Default: none.
   */
  idempotencyKey?: string;
}

export interface UpdateOptions {
  /**
   * Optimistic concurrency: apply the update only to rows still at this version (the value of
   * the table's version column as read). When none is: CONFLICT naming the version there now,
   * or NOT_FOUND when no row matches `where` at all. Needs a column declared `"version": true`.
   * Default: no check.
   */
  version?: number;
}

function insertStatement(table: string, values: Map<string, SqlValue>): Statement {
  const columns = [...values.keys()];
  const sql = columns.length
    ? `INSERT INTO ${table} (${columns.map(quote).join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) RETURNING *`
    : `INSERT INTO ${table} DEFAULT VALUES RETURNING *`;
  return { sql, args: [...values.values()] };
}

function insertDefaults(schema: TableSchema, row: Row): Row {
  const out = { ...row };
  for (const [column, c] of Object.entries(schema.columns)) {
    if (out[column] !== undefined || c.default === undefined) continue;
    out[column] = c.type === "timestamp" && c.default === "now" ? Date.now() : c.default;
  }
  const version = versionColumnOf(schema);
  if (version && out[version] === undefined) out[version] = 1;
  return out;
}

/**
 * A table seen through its schema: every value is checked against its column and bound as
 * a parameter; identifiers come only from the schema. No value is spliced into SQL text.
 */
export class Table<T extends Row = Row> {
  constructor(
    readonly schema: TableSchema,
    private readonly db: SqlExecutor,
  ) {}

  private get name(): string {
    return quote(this.schema.table);
  }

  /**
   * Inserts one row or many; resolves with the rows as stored (keys and defaults filled in).
   * Every row is checked before any is written, and many rows go in one atomic batch: all
   * of them or none. An insert is safe to repeat when it has an `idempotencyKey`, or when the
   * caller chose every row's primary key: a lost connection is then settled here, and a
   * repeat returns the rows already there instead of writing them twice.
   * @throws OUTCOME_UNKNOWN when the connection was lost after a plain insert was sent (or the
   *   server stays unreachable after a safe one); CONFLICT for a key reused for another insert.
   */
  async insert(rows: Partial<T> | Partial<T>[], options: InsertOptions = {}): Promise<T[]> {
    const list = (Array.isArray(rows) ? rows : [rows]) as Row[];
    if (list.length === 0) return [];
    const encoded = list.map((row) => encodeRow(this.schema, insertDefaults(this.schema, row)));
    const statements = encoded.map((values) => insertStatement(this.name, values));
    const decode = (stored: Row[]) => stored.map((row) => decodeRow(this.schema, row) as T);
    if (options.idempotencyKey !== undefined) {
      const fingerprint = fingerprintRows(list.map((row) => encodeRow(this.schema, row)));
      return decode(await insertOnce(this.db, this.schema.table, statements, options.idempotencyKey, fingerprint));
    }
    try {
      const results = statements.length === 1 ? [await this.db.execute(statements[0]!)] : await this.db.batch(statements);
      return decode(results.map((result) => result.rows[0]!));
    } catch (error) {
      const pk = primaryKeyOf(this.schema);
      const keyed = pk !== "rowid" && encoded.every((values) => values.get(pk) !== undefined && values.get(pk) !== null);
      if (!(error instanceof OutcomeUnknownError) || !keyed) throw error;
      return decode(await settleKeyedInsert(this.db, this.schema.table, pk, statements, encoded, error));
    }
  }

  /**
   * Inserts, or on a conflict of `conflict` (default the primary key) updates the given columns.
   * With a version column, an insert starts it at 1 and an update raises it by 1.
   */
  async upsert(row: Partial<T>, options: { conflict?: string[] } = {}): Promise<T> {
    refuseVersionIn(this.schema, row as Row, "upsert");
    const values = encodeRow(this.schema, insertDefaults(this.schema, row as Row));
    const columns = [...values.keys()];
    const conflict = options.conflict ?? [primaryKeyOf(this.schema)];
    conflict.forEach((c) => columnOf(this.schema, c));
    const version = versionColumnOf(this.schema);
    const updates = columns.filter((c) => !conflict.includes(c) && c !== version).map((c) => `${quote(c)} = excluded.${quote(c)}`);
    if (version && updates.length) updates.push(`${quote(version)} = ${quote(version)} + 1`);
    const sql =
      `INSERT INTO ${this.name} (${columns.map(quote).join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ` +
      `ON CONFLICT (${conflict.map(quote).join(", ")}) DO ${updates.length ? `UPDATE SET ${updates.join(", ")}` : "NOTHING"} RETURNING *`;
    const result = await this.db.execute({ sql, args: [...values.values()] });
    return decodeRow(this.schema, result.rows[0] ?? (row as Row)) as T;
  }

  /** Rows matching `where`, ordered and paged. */
  async find(options: FindOptions = {}): Promise<T[]> {
    const where = whereClause(this.schema, options.where);
    const args: SqlValue[] = [...where.args];
    let sql = `SELECT * FROM ${this.name}${where.sql}${orderClause(this.schema, options.orderBy)}`;
    if (options.limit !== undefined || options.offset !== undefined) {
      sql += " LIMIT ? OFFSET ?";
      args.push(Math.max(0, Math.floor(options.limit ?? -1)), Math.max(0, Math.floor(options.offset ?? 0)));
      if (options.limit === undefined) args[args.length - 2] = -1;
    }
    const result = await this.db.execute({ sql, args });
    return result.rows.map((r) => decodeRow(this.schema, r) as T);
  }

  /** The row with this primary key, or undefined. */
  async get(key: unknown): Promise<T | undefined> {
    const pk = primaryKeyOf(this.schema);
    const arg = encodeValue(this.schema.table, pk, columnOf(this.schema, pk), key);
    const result = await this.db.execute({ sql: `SELECT * FROM ${this.name} WHERE ${quote(pk)} = ? LIMIT 1`, args: [arg] });
    return result.rows[0] ? (decodeRow(this.schema, result.rows[0]) as T) : undefined;
  }

  /** Like `get`, but NOT_FOUND when there is no such row. */
  async require(key: unknown): Promise<T> {
    const row = await this.get(key);
    if (!row) throw new NotFoundError(ErrorCode.NOT_FOUND, `${this.schema.table}: no row with ${primaryKeyOf(this.schema)} ${JSON.stringify(key)}`);
    return row;
  }

  /**
   * Sets `changes` on the rows matching `where`, in one statement; resolves with how many
   * changed. With a version column, each changed row's version is raised by 1, and
   * `{ version }` applies the update only at that version (compare-and-set).
   * @throws CONFLICT (409) with `{ version }` when the row has another version now (`details`:
   *   `table`, `where`, `expectedVersion`, `actualVersion`); NOT_FOUND when no row matches
   *   `where`; VALIDATION_FAILED when `changes` sets the version column.
   * @example
   * const item = await ctx.db.table<Item>("stock").require("apple");
   * await ctx.db.table("stock").update({ sku: "apple" }, { left: item.left - 1 }, { version: item.version });
   */
  async update(where: Where, changes: Partial<T>, options: UpdateOptions = {}): Promise<number> {
    return (await this.updateRows(where, changes, options.version, false)).count;
  }

  private async updateRows(where: Where, changes: Partial<T>, expected: number | undefined, returning: boolean): Promise<{ count: number; rows: Row[] }> {
    refuseVersionIn(this.schema, changes as Row, "update");
    const values = encodeRow(this.schema, changes as Row);
    if (!values.size) return { count: 0, rows: [] };
    const version = expected === undefined ? versionColumnOf(this.schema) : requireVersionColumn(this.schema, "an update with a version");
    const checked = expected === undefined ? where : { ...where, [version!]: checkVersion(this.schema, expected) };
    const w = whereClause(this.schema, checked);
    const set = [...values.keys()].map((c) => `${quote(c)} = ?`);
    if (version) set.push(`${quote(version)} = ${quote(version)} + 1`);
    const sql = `UPDATE ${this.name} SET ${set.join(", ")}${w.sql}${returning ? " RETURNING *" : ""}`;
    const result = await this.db.execute({ sql, args: [...values.values(), ...w.args] });
    if (result.rowsAffected === 0 && expected !== undefined && !returning) throw await staleVersionError(this.db, this.schema, where, expected);
    return { count: result.rowsAffected, rows: result.rows };
  }

  /**
   * Read-modify-write of one row that never loses a concurrent update: reads the row with
   * this primary key, calls `fn` with it, and applies the changes `fn` returns only if the
   * row's version is still the one read; otherwise reads again and calls `fn` again, pausing a
   * short random while between rounds. `fn` may run several times, so it must not have side
   * effects of its own; returning `undefined` changes nothing; throwing aborts with that
   * error. Resolves with the row as it is now. Needs a version column.
   * Options: `attempts`, rounds before giving up (default 30).
   * @throws NOT_FOUND when there is no such row; CONFLICT (retryable) when other writers won
   *   `attempts` rounds in a row; whatever `fn` throws.
   * @example
   * await ctx.db.table<Item>("stock").change("apple", (item) => {
   *   if (item.left < 1) throw new FuseError("OUT_OF_STOCK", "no apples left");
   *   return { left: item.left - 1 };
   * });
   */
  async change(key: unknown, fn: (row: T) => Partial<T> | undefined | Promise<Partial<T> | undefined>, options: ChangeOptions = {}): Promise<T> {
    const version = requireVersionColumn(this.schema, "change()");
    const pk = primaryKeyOf(this.schema);
    return retryOnConflict(`${this.schema.table} row ${JSON.stringify(key)}`, { table: this.schema.table, key }, async () => {
      const row = await this.require(key);
      const changes = await fn(row);
      if (changes === undefined || Object.values(changes).every((v) => v === undefined)) return row;
      const { rows } = await this.updateRows({ [pk]: key }, changes, row[version] as number, true);
      return rows[0] ? (decodeRow(this.schema, rows[0]) as T) : LOST_RACE;
    }, options);
  }

  /** Deletes the rows matching `where` (all with `{}`); resolves with how many. */
  async delete(where: Where): Promise<number> {
    const w = whereClause(this.schema, where);
    return (await this.db.execute({ sql: `DELETE FROM ${this.name}${w.sql}`, args: w.args })).rowsAffected;
  }

  async count(where?: Where): Promise<number> {
    const w = whereClause(this.schema, where);
    const result = await this.db.execute({ sql: `SELECT COUNT(*) AS n FROM ${this.name}${w.sql}`, args: w.args });
    return Number(result.rows[0]?.n ?? 0);
  }
}
