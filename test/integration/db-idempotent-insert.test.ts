import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutcomeUnknownError, fromWire, toWire, type FuseError, type WireError } from "../../runtime/errors/index.ts";
import { Database, IDEMPOTENCY_KEEP_MS, IDEMPOTENCY_TABLE, Table, migrate, tableSchemaSchema, type SqlExecutor, type TableSchema } from "../../runtime/table/index.ts";
import { startSqld, type SqldHarness } from "../helpers/index.ts";

let seq = 0;
const notesTable = (): TableSchema =>
  tableSchemaSchema.parse({
    table: `notes_${++seq}`,
    columns: { id: { type: "integer", primaryKey: true }, title: { type: "text" }, created_at: { type: "timestamp", default: "now" } },
  });
const keyedTable = (): TableSchema =>
  tableSchemaSchema.parse({ table: `keyed_${++seq}`, columns: { id: { type: "text", primaryKey: true }, title: { type: "text" }, pic: { type: "blob", nullable: true } } });

/**
 * The real database, with the reply of the first `losses` writes lost: after the server applied
 * them (`after`) or before they were sent (`before`). What a connection cut at that moment does.
 */
function losingReplies(db: SqlExecutor, losses: number, when: "after" | "before"): SqlExecutor & { lost: number } {
  const lossy = {
    lost: 0,
    async execute(statement: Parameters<SqlExecutor["execute"]>[0]) {
      return lose(statement.sql, () => db.execute(statement));
    },
    async batch(statements: Parameters<SqlExecutor["batch"]>[0]) {
      return lose(statements[0]!.sql, () => db.batch(statements));
    },
  };
  async function lose<T>(sql: string, run: () => Promise<T>): Promise<T> {
    if (/^\s*SELECT/i.test(sql) || lossy.lost >= losses) return run();
    lossy.lost++;
    if (when === "after") await run();
    throw new OutcomeUnknownError(`${sql.slice(0, 30)}: reply lost (injected)`);
  }
  return lossy;
}

describe("inserts that are safe to repeat", () => {
  let sqld: SqldHarness;
  let db: Database;
  const setUp = async (table: TableSchema) => {
    await migrate(db.executor(), [table]);
    return new Table(table, db.executor());
  };

  beforeAll(async () => {
    sqld = await startSqld();
    db = new Database({ url: sqld.url.replace(/^http/, "ws") });
  });
  afterAll(async () => {
    db?.close();
    await sqld?.stop();
  });

  it("with an idempotency key: a repeat returns the first insert's rows, and the table has them once", async () => {
    const rows = await setUp(notesTable());
    const first = await rows.insert([{ title: "a" }, { title: "b" }], { idempotencyKey: `${rows.schema.table}:1` });
    const again = await rows.insert([{ title: "a" }, { title: "b" }], { idempotencyKey: `${rows.schema.table}:1` });
    expect(again).toEqual(first);
    expect(await rows.count()).toBe(2);
    // Another key is another insert.
    await rows.insert({ title: "a" }, { idempotencyKey: `${rows.schema.table}:2` });
    expect(await rows.count()).toBe(3);
  });

  it("with an idempotency key: a reply lost after the insert was applied is settled by sending it again, which finds the key", async () => {
    const t = notesTable();
    await setUp(t);
    const lossy = losingReplies(db.executor(), 2, "after");
    const rows = new Table(t, lossy);
    const [note] = await rows.insert({ title: "once" }, { idempotencyKey: `${t.table}:lost` });
    expect(lossy.lost).toBe(2);
    expect(note).toMatchObject({ title: "once" });
    expect(await new Table(t, db.executor()).find()).toEqual([note]);
  });

  it("with an idempotency key: a reply lost before the insert was sent is settled by sending it again", async () => {
    const t = notesTable();
    await setUp(t);
    const lossy = losingReplies(db.executor(), 1, "before");
    const [note] = await new Table(t, lossy).insert({ title: "once" }, { idempotencyKey: `${t.table}:lost` });
    expect(await new Table(t, db.executor()).find()).toEqual([note]);
  });

  it("with an idempotency key used for another insert: CONFLICT, and nothing written", async () => {
    const rows = await setUp(notesTable());
    const other = await setUp(notesTable());
    await rows.insert({ title: "a" }, { idempotencyKey: "shared-key" });
    const failures: WireError[] = await Promise.all([
      rows.insert({ title: "b" }, { idempotencyKey: "shared-key" }).then(() => ({ headers: {}, body: "accepted" }), toWire),
      other.insert({ title: "a" }, { idempotencyKey: "shared-key" }).then(() => ({ headers: {}, body: "accepted" }), toWire),
    ]);
    const named = (text: string) => text.replaceAll(rows.schema.table, "notes").replaceAll(other.schema.table, "other");
    expect(failures.map((w) => ({ status: w.headers["Nats-Service-Error-Code"], body: JSON.parse(named(w.body)) }))).toMatchInlineSnapshot(`
      [
        {
          "body": {
            "error": {
              "code": "CONFLICT",
              "details": {
                "idempotencyKey": "shared-key",
                "table": "notes",
              },
              "message": "notes insert: idempotency key "shared-key" was first used for another insert (into notes); use a new key for a new insert",
            },
          },
          "status": "409",
        },
        {
          "body": {
            "error": {
              "code": "CONFLICT",
              "details": {
                "idempotencyKey": "shared-key",
                "table": "notes",
              },
              "message": "other insert: idempotency key "shared-key" was first used for another insert (into notes); use a new key for a new insert",
            },
          },
          "status": "409",
        },
      ]
    `);
    expect([await rows.count(), await other.count()]).toEqual([1, 0]);
  });

  it("with an idempotency key inside a transaction: recorded with it, and gone with its rollback", async () => {
    const t = notesTable();
    const rows = await setUp(t);
    const withSchema = new Database({ url: sqld.url.replace(/^http/, "ws"), schemas: [t] });
    try {
      await expect(
        withSchema.transaction(async (tx) => {
          await tx.table(t.table).insert({ title: "rolled back" }, { idempotencyKey: `${t.table}:tx` });
          throw new Error("changed my mind");
        }),
      ).rejects.toThrow("changed my mind");
      const [note] = await withSchema.transaction((tx) => tx.table(t.table).insert({ title: "kept" }, { idempotencyKey: `${t.table}:tx` }));
      expect(await rows.find()).toEqual([note]);
    } finally {
      withSchema.close();
    }
  });

  it("forgets a key after a day: old keys are removed by the next insert with a key", async () => {
    const rows = await setUp(notesTable());
    await rows.insert({ title: "a" }, { idempotencyKey: `${rows.schema.table}:old` });
    await db.sql(`UPDATE ${IDEMPOTENCY_TABLE} SET at = ? WHERE key = ?`, [Date.now() - IDEMPOTENCY_KEEP_MS - 1, `${rows.schema.table}:old`]);
    await rows.insert({ title: "b" }, { idempotencyKey: `${rows.schema.table}:new` });
    expect(await db.sql(`SELECT key FROM ${IDEMPOTENCY_TABLE} WHERE key LIKE ?`, [`${rows.schema.table}:%`])).toEqual([{ key: `${rows.schema.table}:new` }]);
  });

  it("with caller-chosen primary keys: a reply lost after the insert was applied is settled by finding the rows, not writing them twice", async () => {
    const t = keyedTable();
    await setUp(t);
    const lossy = losingReplies(db.executor(), 1, "after");
    const pic = new Uint8Array([1, 2, 3]);
    const inserted = await new Table(t, lossy).insert([{ id: "a", title: "A", pic }, { id: "b", title: "B" }]);
    expect(lossy.lost).toBe(1);
    expect(inserted).toEqual([{ id: "a", title: "A", pic }, { id: "b", title: "B", pic: null }]);
    expect(await new Table(t, db.executor()).count()).toBe(2);
  });

  it("with caller-chosen primary keys: a reply lost before the insert was sent is settled by sending it again", async () => {
    const t = keyedTable();
    await setUp(t);
    const [row] = await new Table(t, losingReplies(db.executor(), 1, "before")).insert({ id: "a", title: "A" });
    expect(await new Table(t, db.executor()).find()).toEqual([row]);
  });

  it("with caller-chosen primary keys: a row already there with other values leaves the outcome unknown", async () => {
    const t = keyedTable();
    const rows = await setUp(t);
    await rows.insert({ id: "a", title: "someone else's" });
    await expect(new Table(t, losingReplies(db.executor(), 1, "before")).insert({ id: "a", title: "mine" })).rejects.toBeInstanceOf(OutcomeUnknownError);
    expect(await rows.find()).toEqual([{ id: "a", title: "someone else's", pic: null }]);
  });

  it("without either: a lost reply is OUTCOME_UNKNOWN for the caller, status 500, not retryable", async () => {
    const t = notesTable();
    await setUp(t);
    const error = await new Table(t, losingReplies(db.executor(), 1, "after")).insert({ title: "maybe" }).then(
      () => expect.fail("the insert resolved"),
      (e: FuseError) => e,
    );
    expect(error).toMatchObject({ code: "OUTCOME_UNKNOWN", status: 500, retryable: false });
    // A caller across the bus gets the same class back.
    const wire = toWire(error);
    expect(fromWire(wire.body, Number(wire.headers["Nats-Service-Error-Code"]))).toBeInstanceOf(OutcomeUnknownError);
  });
});
