import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyDemoHub, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

type CartView = { cart: string; version: number; items: { sku: string; qty: number }[]; updatedAt: number; abandoned: number };

// The demo hub's `cart`, a keyed actor, over HTTP as a web shop would use it: one cart per key,
// requests for one cart one at a time, and a reminder that empties a cart left alone (set to
// 4 s here through the actor's env, 30 minutes by default).
describe("the demo hub's cart", () => {
  let dir: string;
  let hub: RunningHub;
  let gatewayUrl: string;
  const post = async (route: string, body: unknown = {}) => {
    const res = await fetch(`${gatewayUrl}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as CartView & { error?: { code: string } } };
  };

  beforeAll(async () => {
    dir = copyDemoHub();
    const config = path.join(dir, "config/fuse.yaml");
    writeFileSync(config, `${readFileSync(config, "utf8")}  cart:\n    instances: 2\n    env:\n      CART_ABANDON_MS: "4000"\n`);
    hub = await startHub(dir);
    ({ gatewayUrl } = await hub.call<{ gatewayUrl: string }>("hub.info"));
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("adds, removes and shows the items of one cart, keeps carts apart, and refuses a bad product with 400", async () => {
    expect((await post("/api/cart/ada/add", { sku: "demo-tea", qty: 2 })).body).toMatchObject({ cart: "ada", version: 1, items: [{ sku: "demo-tea", qty: 2 }] });
    await post("/api/cart/ada/add", { sku: "demo-cake" });
    await post("/api/cart/ada/add", { sku: "demo-tea", qty: 3 });
    const removed = await post("/api/cart/ada/remove", { sku: "demo-tea", qty: 4 });
    expect(removed).toMatchObject({ status: 200, body: { version: 4, items: [{ sku: "demo-tea", qty: 1 }, { sku: "demo-cake", qty: 1 }] } });
    expect((await post("/api/cart/ada/remove", { sku: "demo-cake" })).body.items).toEqual([{ sku: "demo-tea", qty: 1 }]);
    expect((await post("/api/cart/bob/view")).body).toMatchObject({ cart: "bob", version: 0, items: [] });
    expect((await post("/api/cart/ada/view")).body).toMatchObject({ version: 5, items: [{ sku: "demo-tea", qty: 1 }] });
    const bad = await post("/api/cart/ada/add", { sku: "Not A Sku" });
    expect(bad.status).toBe(400);
    expect(bad.body.error!.code).toBe("VALIDATION_FAILED");
    // Without a key there is no cart.
    expect((await post("/api/cart/view")).status).toBe(400);
  });

  it("runs 30 concurrent adds to one cart one at a time: all 30 items are in it", async () => {
    const replies = await Promise.all(Array.from({ length: 30 }, () => post("/api/cart/carol/add", { sku: "demo-tea" })));
    expect(replies.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(replies.map((r) => r.body.items[0]!.qty).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    // Stored as 30 turns (or 31 if the machine stalled long enough for the reminder to empty it since).
    const { body } = await post("/api/cart/carol/view");
    if (body.abandoned) expect(body).toMatchObject({ version: 31, items: [], abandoned: 1 });
    else expect(body).toMatchObject({ version: 30, items: [{ sku: "demo-tea", qty: 30 }] });
  });

  it("empties a cart left alone once, through its durable reminder, and a later add starts it again", async () => {
    await post("/api/cart/dora/add", { sku: "demo-cake", qty: 2 });
    const emptied = await waitFor("dora's cart emptied by its reminder", async () => {
      const { body } = await post("/api/cart/dora/view");
      return body.items.length === 0 ? body : undefined;
    }, 60_000);
    expect(emptied).toMatchObject({ abandoned: 1, version: 2 });
    const again = await post("/api/cart/dora/add", { sku: "demo-tea" });
    expect(again.body).toMatchObject({ abandoned: 1, items: [{ sku: "demo-tea", qty: 1 }] });
    const second = await waitFor("dora's cart emptied again", async () => {
      const { body } = await post("/api/cart/dora/view");
      return body.items.length === 0 ? body : undefined;
    }, 60_000);
    // Once per abandonment: the reminder fired for each due time, never twice.
    expect(second).toMatchObject({ abandoned: 2, version: 4 });
  });
});
