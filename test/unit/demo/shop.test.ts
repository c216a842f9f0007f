import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mailer from "../../../actors/mailer/index.ts";
import shop from "../../../actors/shop/index.ts";
import { createTestHub, type TestHub } from "../../../runtime/sdk/index.ts";
import { REPO, waitFor } from "../../helpers/index.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-demo-shop-"));
let hub: TestHub;

beforeAll(async () => {
  hub = await createTestHub([shop, mailer], { db: { url: `file:${path.join(dir, "shop.db")}`, hubDir: REPO } });
});
afterAll(async () => {
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the demo shop", () => {
  it("sells exactly the stock to 12 concurrent orders of one item, refuses the rest as OUT_OF_STOCK, and confirms each sale once", async () => {
    await hub.call("shop.restock", { sku: "tea", qty: 8 });
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => hub.call<{ id: number }>("shop.order", { sku: "tea", qty: 1 })));
    const sold = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected").map((o) => o.reason as { code: string; status: number; details: unknown });
    expect([sold.length, refused.length]).toEqual([8, 4]);
    expect(refused.every((e) => e.code === "OUT_OF_STOCK" && e.status === 409)).toBe(true);
    expect(refused[0]!.details).toEqual({ sku: "tea", left: 0 });
    expect(await hub.call("shop.stock", { sku: "tea" })).toEqual({ sku: "tea", left: 0 });
    const { mails } = await waitFor("a confirmation per sale", async () => {
      const outbox = await hub.call<{ mails: { order: number; subject: string }[] }>("mailer.outbox");
      return outbox.mails.length >= 8 ? outbox : undefined;
    });
    expect(mails.map((m) => m.subject)).toEqual(mails.map((m) => `Order ${m.order}: 1 × tea`));
    expect(new Set(mails.map((m) => m.order)).size).toBe(8);
  });
});
