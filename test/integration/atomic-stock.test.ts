import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, startHub, type RunningHub } from "../helpers/index.ts";

type Reserved = { left: number; rounds: number; pid: number };

// 100 buyers at once for 60 items, through a real hub: nats-server, sqld and two processes of
// the `stock` actor, each call going over the bus to whichever instance the queue group picks.
describe("atomic updates under concurrent reservations", () => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    dir = createHubDir({
      config: "actors:\n  stock:\n    instances: 2\n",
      actors: { stock: "stock" },
      files: { "schemas/stock_items.json": "schemas/stock_items.json" },
    });
    hub = await startHub(dir);
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  for (const where of ["kv", "db"] as const) {
    it(`reserves 100 times at once from a stock of 60 in ${where === "kv" ? "ctx.kv" : "a table with a version column"}: 60 succeed, 40 are refused, 0 are left`, async () => {
      const sku = `apple-${where}`;
      await hub.call("stock.stock", { in: where, sku, left: 60 });
      const outcomes = await Promise.allSettled(Array.from({ length: 100 }, () => hub.call<Reserved>("stock.reserve", { in: where, sku }, { timeoutMs: 60_000 })));
      const succeeded = outcomes.filter((o): o is PromiseFulfilledResult<Reserved> => o.status === "fulfilled").map((o) => o.value);
      const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected").map((o) => o.reason as { code: string; message: string });
      expect(refused.filter((e) => e.code !== "OUT_OF_STOCK")).toEqual([]);
      expect(succeeded.length).toBe(60);
      expect(refused.length).toBe(40);
      // No lost update: every success left a different count behind, 59 down to 0.
      expect(succeeded.map((r) => r.left).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      const final = await hub.call<{ left: number; version: number }>("stock.left", { in: where, sku });
      expect(final.left).toBe(0);
      // Both processes served reservations, and writers really collided (some read again).
      expect(new Set(succeeded.map((r) => r.pid)).size).toBe(2);
      expect(succeeded.some((r) => r.rounds > 1)).toBe(true);
      const rounds = succeeded.map((r) => r.rounds);
      console.info(`${where}: rounds per reservation: max ${Math.max(...rounds)}, mean ${(rounds.reduce((a, b) => a + b, 0) / rounds.length).toFixed(2)}`);
    }, 120_000);
  }
});
