import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Database, MIGRATIONS_TABLE, migrate, tableSchemaSchema, type TableSchema } from "../../runtime/table/index.ts";
import { startSqld, type SqldHarness } from "../helpers/index.ts";

const schema = (s: unknown): TableSchema => tableSchemaSchema.parse(s);
// A fresh table per test and URL kind keeps the tests of one shared server apart.
let seq = 0;
const ledger = () =>
  schema({
    table: `ledger_${++seq}`,
    columns: { id: { type: "integer", primaryKey: true }, account: { type: "text" }, amount: { type: "integer" }, ref: { type: "text", unique: true, nullable: true } },
    indexes: [{ columns: ["account"] }],
  });

describe("the table API against a real sqld (and embedded libSQL)", () => {
  let sqld: SqldHarness;
  let fileDir: string;
  const open: Database[] = [];
  const connect = async (kind: string, table: TableSchema, options: { migrated?: boolean } = {}) => {
    const url = kind === "file" ? `file:${path.join(fileDir, "db.sqlite")}` : sqld.url.replace(/^http/, kind);
    const db = new Database({ url, schemas: [table] });
    open.push(db);
    if (!options.migrated) await migrate(db.executor(), [table]);
    return db;
  };

  beforeAll(async () => {
    sqld = await startSqld();
    fileDir = mkdtempSync(path.join(os.tmpdir(), "fuse-db-file-"));
  });
  afterAll(async () => {
    for (const db of open) db.close();
    await sqld?.stop();
    rmSync(fileDir, { recursive: true, force: true });
  });

  for (const kind of ["http", "ws", "file"]) {
    describe(`over ${kind}:`, () => {
      it("inserts many rows in one atomic batch: a bad value or a broken constraint leaves none", async () => {
        const t = ledger();
        const db = await connect(kind, t);
        const rows = db.table(t.table);
        expect(await rows.insert([{ account: "a", amount: 1 }, { account: "b", amount: 2 }])).toMatchObject([{ id: 1 }, { id: 2 }]);
        await expect(rows.insert([{ account: "c", amount: 3 }, { account: "d", amount: "4" }])).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
        await expect(rows.insert([{ account: "e", amount: 5, ref: "x" }, { account: "f", amount: 6, ref: "x" }])).rejects.toThrow(/UNIQUE/);
        expect(await rows.count()).toBe(2);
      });

      it("commits a transaction, rolls a failed one back, and reads a snapshot in read mode", async () => {
        const t = ledger();
        const db = await connect(kind, t);
        await db.transaction(async (tx) => {
          await tx.table(t.table).insert({ account: "a", amount: 10 });
          await tx.table(t.table).insert([{ account: "b", amount: -10 }, { account: "c", amount: 0 }]);
        });
        await expect(
          db.transaction(async (tx) => {
            await tx.table(t.table).insert({ account: "d", amount: 1 });
            throw new Error("changed my mind");
          }),
        ).rejects.toThrow("changed my mind");
        const total = await db.transaction(async (tx) => (await tx.sql<{ s: number }>(`SELECT SUM(amount) AS s FROM ${t.table}`))[0]!.s, { mode: "read" });
        expect(Number(total)).toBe(0);
        expect(await db.table(t.table).count()).toBe(3);
      });
    });
  }

  it("records every applied change in the database, and applies nothing twice", async () => {
    const t = ledger();
    const db = await connect("http", t);
    const grown = schema({ ...t, columns: { ...t.columns, note: { type: "text", nullable: true } } });
    expect((await migrate(db.executor(), [grown])).map((c) => c.description)).toEqual([`add column ${t.table}.note`]);
    expect(await migrate(db.executor(), [grown])).toEqual([]);
    const recorded = await db.sql<{ change: string }>(`SELECT change FROM ${MIGRATIONS_TABLE} WHERE table_name = ? ORDER BY id`, [t.table]);
    expect(recorded.map((r) => r.change)).toEqual([`create table ${t.table}`, `create index ${t.table}_account_idx`, `add column ${t.table}.note`]);
  });

  it("lets two migrators race (two hubs on one server): both succeed and each change is recorded once", async () => {
    const t = ledger();
    const [a, b] = [new Database({ url: sqld.url }), new Database({ url: sqld.url.replace(/^http/, "ws") })];
    open.push(a, b);
    await Promise.all([migrate(a.executor(), [t]), migrate(b.executor(), [t])]);
    const recorded = await a.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM ${MIGRATIONS_TABLE} WHERE table_name = ?`, [t.table]);
    expect(recorded).toEqual([{ n: 2 }]);
  });

  it("takes concurrent transactions from 4 clients with no busy error reaching them", async () => {
    const t = ledger();
    const clients = await Promise.all(["http", "ws", "http", "ws"].map((kind) => connect(kind, t)));
    await Promise.all(
      clients.map(async (db, i) => {
        for (let k = 0; k < 25; k++) {
          await db.transaction(async (tx) => {
            await tx.table(t.table).insert({ account: `c${i}`, amount: 1 });
            await tx.table(t.table).insert({ account: `c${i}`, amount: -1 });
          });
        }
      }),
    );
    expect(await clients[0]!.table(t.table).count()).toBe(200);
    expect(await clients[0]!.sql(`SELECT account, COUNT(*) AS n FROM ${t.table} GROUP BY account ORDER BY account`)).toEqual(
      ["c0", "c1", "c2", "c3"].map((account) => ({ account, n: 50 })),
    );
  });

  it("after a kill -9 of sqld, a write made while it is down (never sent) waits for its revival, the same clients go on, and acknowledged rows are kept", async () => {
    const t = ledger();
    const [overHttp, overWs] = [await connect("http", t), await connect("ws", t)];
    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) {
      await (i % 2 ? overWs : overHttp).table(t.table).insert({ account: "before", amount: i, ref: `r${i}` });
      acknowledged.push(`r${i}`);
    }
    process.kill(sqld.pid, "SIGKILL");
    await sqld.exited;
    // Fresh clients have no connection the kill could have cut mid-request: theirs is refused,
    // so the write certainly was not sent, and ctx.db waits for the server to come back.
    const [lateHttp, lateWs] = [await connect("http", t, { migrated: true }), await connect("ws", t, { migrated: true })];
    const whileDown = [lateHttp, lateWs].map((db, i) => db.table(t.table).insert({ account: "down", amount: 0, ref: `down-${i}` }));
    await sqld.revive();
    await Promise.all(whileDown);
    acknowledged.push("down-0", "down-1");
    for (const db of [overHttp, overWs]) {
      await db.table(t.table).insert({ account: "after", amount: 0, ref: `after-${acknowledged.length}` });
      acknowledged.push(`after-${acknowledged.length}`);
    }
    const refs = (await overWs.table<{ ref: string }>(t.table).find({ orderBy: "id" })).map((r) => r.ref);
    expect(refs.sort()).toEqual(acknowledged.sort());
  });
});
