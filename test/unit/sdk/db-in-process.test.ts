import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHub, defineActor, defineEndpoint, tableSchemaSchema, z, type TestHub } from "../../../runtime/sdk/index.ts";

const items = tableSchemaSchema.parse({
  table: "items",
  columns: {
    id: { type: "integer", primaryKey: true },
    sku: { type: "text", unique: true },
    qty: { type: "integer", default: 0 },
    price: { type: "real", nullable: true },
    meta: { type: "json", default: {} },
    active: { type: "boolean", default: true },
    at: { type: "timestamp", default: "now" },
  },
});

// One endpoint that runs a list of operations, so each test speaks through ctx.db.
const store = defineActor({
  name: "store",
  endpoints: {
    run: defineEndpoint({
      input: z.object({ op: z.string(), args: z.array(z.unknown()).default([]) }),
      output: z.unknown(),
      handler: async ({ op, args }, ctx) => {
        const t = ctx.db.table("items");
        switch (op) {
          case "insert": return t.insert(args[0] as never);
          case "find": return t.find(args[0] as never);
          case "get": return (await t.get(args[0])) ?? null;
          case "update": return t.update(args[0] as never, args[1] as never);
          case "delete": return t.delete(args[0] as never);
          case "count": return t.count(args[0] as never);
          case "upsert": return t.upsert(args[0] as never, args[1] as never);
          case "sql": return ctx.db.sql(args[0] as string, args[1] as never);
          case "tx-fail":
            return ctx.db.transaction(async (tx) => {
              await tx.table("items").insert({ sku: "in-tx" });
              throw new Error("rolled back on purpose");
            });
          default: throw new Error(`unknown op ${op}`);
        }
      },
    }),
  },
});

describe("ctx.db (in-process, embedded libSQL file)", () => {
  let dir: string;
  let hub: TestHub;
  const run = <T = unknown>(op: string, ...args: unknown[]) => hub.call<T>("store.run", { op, args });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "fuse-db-"));
    hub = await createTestHub([store], { db: { url: `file:${path.join(dir, "db.sqlite")}`, schemas: [items] } });
    await run("insert", [
      { sku: "a", qty: 5, price: 1.5, meta: { color: "red" } },
      { sku: "b", qty: 10, price: null, active: false },
      { sku: "c'); DROP TABLE items; --", qty: 1 },
    ]);
  });
  afterAll(async () => {
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("inserts with defaults and keys filled in, values typed back", async () => {
    const [row] = await run<Record<string, unknown>[]>("find", { where: { sku: "a" } });
    expect(row).toMatchObject({ id: 1, sku: "a", qty: 5, price: 1.5, meta: { color: "red" }, active: true });
    expect(typeof row!.at).toBe("number");
  });

  it("finds with comparisons, in, like, order, limit and offset", async () => {
    const skus = (rows: { sku: string }[]) => rows.map((r) => r.sku);
    expect(skus(await run("find", { where: { qty: { gte: 5 } }, orderBy: "-qty" }))).toEqual(["b", "a"]);
    expect(skus(await run("find", { where: { sku: { in: ["a", "b", "z"] } }, orderBy: "sku" }))).toEqual(["a", "b"]);
    expect(skus(await run("find", { where: { sku: { like: "c%" } } }))).toEqual(["c'); DROP TABLE items; --"]);
    expect(skus(await run("find", { orderBy: "sku", limit: 1, offset: 1 }))).toEqual(["b"]);
    expect(skus(await run("find", { where: { price: null } }))).toEqual(["b", "c'); DROP TABLE items; --"]);
  });

  it("gets by key, updates, counts, upserts and deletes", async () => {
    expect(await run("get", 2)).toMatchObject({ sku: "b", active: false });
    expect(await run("update", { sku: "b" }, { qty: 11, active: true })).toBe(1);
    expect(await run("count", { active: true })).toBe(3);
    expect(await run("upsert", { sku: "a", qty: 99 }, { conflict: ["sku"] })).toMatchObject({ id: 1, qty: 99 });
    expect(await run("delete", { sku: "b" })).toBe(1);
    expect(await run("get", 2)).toBeNull();
  });

  it("refuses a value of the wrong type, naming the column", async () => {
    await expect(run("insert", { sku: "x", qty: "many" })).rejects.toMatchObject({ code: "VALIDATION_FAILED", message: 'items.qty: expected an integer, got "many"' });
    await expect(run("find", { where: { nope: 1 } })).rejects.toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringContaining('items: unknown column "nope"') });
  });

  it("rolls a failed transaction back", async () => {
    await expect(run("tx-fail")).rejects.toMatchObject({ code: "HANDLER_FAILED" });
    expect(await run("count", { sku: "in-tx" })).toBe(0);
  });

  it("runs raw SQL with bound parameters", async () => {
    expect(await run("sql", "SELECT sku FROM items WHERE qty > ? ORDER BY sku", [0])).toEqual([{ sku: "a" }, { sku: "c'); DROP TABLE items; --" }]);
  });
});
