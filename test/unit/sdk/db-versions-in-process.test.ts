import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHub, defineActor, defineEndpoint, FuseError, tableSchemaSchema, z, type TestHub } from "../../../runtime/sdk/index.ts";

const stock = tableSchemaSchema.parse({
  table: "stock",
  columns: {
    sku: { type: "text", primaryKey: true },
    left: { type: "integer" },
    version: { type: "integer", version: true },
  },
});
const plain = tableSchemaSchema.parse({ table: "plain", columns: { id: { type: "integer", primaryKey: true }, n: { type: "integer" } } });

type Item = { sku: string; left: number; version: number };

const shop = defineActor({
  name: "shop",
  endpoints: {
    run: defineEndpoint({
      input: z.object({ op: z.string(), args: z.array(z.unknown()).default([]) }),
      output: z.unknown(),
      handler: async ({ op, args }, ctx) => {
        const t = ctx.db.table<Item>("stock");
        switch (op) {
          case "insert": return t.insert(args[0] as never);
          case "get": return (await t.get(args[0])) ?? null;
          case "update": return t.update(args[0] as never, args[1] as never, args[2] as never);
          case "upsert": return t.upsert(args[0] as never);
          case "update-plain": return ctx.db.table("plain").update({ id: 1 }, { n: 2 }, { version: 1 });
          default: throw new Error(`unknown op ${op}`);
        }
      },
    }),
    reserve: defineEndpoint({
      input: z.object({ sku: z.string() }),
      output: z.object({ left: z.number(), version: z.number() }),
      handler: async ({ sku }, ctx) => {
        const item = await ctx.db.table<Item>("stock").change(sku, (row) => {
          if (row.left < 1) throw new FuseError("OUT_OF_STOCK", `no ${sku} left`);
          return { left: row.left - 1 };
        });
        return { left: item.left, version: item.version };
      },
    }),
  },
});

describe("row versions in ctx.db (in-process, embedded libSQL file)", () => {
  let dir: string;
  let hub: TestHub;
  const run = <T = unknown>(op: string, ...args: unknown[]) => hub.call<T>("shop.run", { op, args });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "fuse-versions-"));
    hub = await createTestHub([shop], { db: { url: `file:${path.join(dir, "db.sqlite")}`, schemas: [stock, plain] } });
  });
  afterAll(async () => {
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts a row at version 1 and raises it by 1 on every update and upsert", async () => {
    await expect(run("insert", { sku: "pear", left: 3 })).resolves.toEqual([{ sku: "pear", left: 3, version: 1 }]);
    await expect(run("update", { sku: "pear" }, { left: 2 })).resolves.toBe(1);
    await expect(run("upsert", { sku: "pear", left: 7 })).resolves.toEqual({ sku: "pear", left: 7, version: 3 });
    await expect(run("upsert", { sku: "plum", left: 1 })).resolves.toEqual({ sku: "plum", left: 1, version: 1 });
  });

  it("applies an update at the version read, and refuses a stale one with CONFLICT naming both versions", async () => {
    await run("insert", { sku: "fig", left: 5 });
    await expect(run("update", { sku: "fig" }, { left: 4 }, { version: 1 })).resolves.toBe(1);
    const stale = run("update", { sku: "fig" }, { left: 0 }, { version: 1 });
    await expect(stale).rejects.toMatchObject({
      code: "CONFLICT",
      status: 409,
      details: { table: "stock", where: { sku: "fig" }, expectedVersion: 1, actualVersion: 2 },
    });
    await expect(stale.catch((e: Error) => e.message)).resolves.toMatchInlineSnapshot(`"stock: expected version 1 where {"sku":"fig"}, but it is 2; read the row again and retry"`);
    await expect(run("get", "fig")).resolves.toEqual({ sku: "fig", left: 4, version: 2 });
  });

  it("says NOT_FOUND for a versioned update of a row that does not exist", async () => {
    await expect(run("update", { sku: "nope" }, { left: 1 }, { version: 1 })).rejects.toMatchObject({ code: "NOT_FOUND", message: 'stock: no row matches {"sku":"nope"}' });
  });

  it("refuses to set the version column by hand, and a version check on a table without one", async () => {
    await expect(run("update", { sku: "fig" }, { version: 9 })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      message: "stock.version: is the table's version column, raised by Fuse on every update; leave it out",
    });
    await expect(run("update-plain")).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      message: 'plain: an update with a version needs a version column; declare one in its schema, e.g. "version": { "type": "integer", "version": true }',
    });
  });

  it("reserves 30 times concurrently from a stock of 20: 20 succeed, 10 are refused, none is lost", async () => {
    await run("insert", { sku: "apple", left: 20 });
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, () => hub.call<{ left: number }>("shop.reserve", { sku: "apple" })));
    const ok = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(ok.length).toBe(20);
    expect(refused.map((r) => (r.reason as FuseError).code)).toEqual(Array(10).fill("OUT_OF_STOCK"));
    // Each success left a distinct count behind: no two read-modify-writes overlapped.
    expect(new Set(ok.map((o) => o.value.left)).size).toBe(20);
    await expect(run("get", "apple")).resolves.toEqual({ sku: "apple", left: 0, version: 21 });
  });
});
