import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

interface LogLine {
  level: number;
  msg: string;
  code?: string;
  status?: number;
  reason?: string;
  details?: unknown;
  cause?: string;
  undeclared?: boolean;
  err?: unknown;
  endpoint?: string;
}

// A hub as `fuse up` runs it (its gateway, sqld and the shop actor in their own processes).
describe("business errors in a running hub", () => {
  let dir: string;
  let hub: RunningHub;
  let url: string;

  const post = (p: string, body: unknown) => fetch(url + p, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const shopLog = (): LogLine[] =>
    readFileSync(path.join(dir, ".fuse/logs/shop.log"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as LogLine);

  beforeAll(async () => {
    dir = createHubDir({ actors: { shop: "shop" }, files: { "schemas/entries.json": "schemas/entries.json" } });
    hub = await startHub(dir);
    url = hub.state.gatewayUrl!;
    await waitFor("the gateway to route shop.reserve", async () => (await post("/api/shop/reserve", { sku: "a", qty: 1 })).status === 200);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("answers a declared AppError over HTTP with its status and the error envelope", async () => {
    const res = await post("/api/shop/reserve", { sku: "tea", qty: 5 });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchInlineSnapshot(`
      {
        "error": {
          "actor": "shop",
          "code": "OUT_OF_STOCK",
          "details": {
            "asked": 5,
            "left": 2,
            "sku": "tea",
          },
          "message": "only 2 of tea left",
        },
      }
    `);
  });

  it("keeps the status through a caller that rethrows it, over the bus and over HTTP", async () => {
    await expect(hub.call("shop.checkout", { sku: "tea", qty: 3 })).rejects.toMatchObject({ name: "AppError", code: "OUT_OF_STOCK", status: 409, details: { left: 2 } });
    const res = await post("/api/shop/checkout", { sku: "tea", qty: 3 });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("OUT_OF_STOCK");
  });

  it("answers an undeclared AppError with the status it was thrown with", async () => {
    const res = await post("/api/shop/coupon", { code: "SPRING" });
    expect(res.status).toBe(410);
    expect(await res.json()).toMatchObject({ error: { code: "COUPON_EXPIRED", message: "coupon SPRING expired" } });
  });

  it("lists declared errors per endpoint in OpenAPI and /docs", async () => {
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, { post: { responses: Record<string, Record<string, unknown>> } }> };
    const conflict = doc.paths["/api/shop/reserve"]!.post.responses["409"]!;
    expect(conflict).toMatchObject({
      description: "OUT_OF_STOCK: Fewer items left than asked for",
      "x-fuse-errors": [{ code: "OUT_OF_STOCK", description: "Fewer items left than asked for" }],
      content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorEnvelope" } } },
    });
    expect(doc.paths["/api/shop/checkout"]!.post.responses["409"]).toBeUndefined();
    const page = await (await fetch(`${url}/docs`)).text();
    expect(page).toContain("<h4>Errors</h4><table><tr><th>code</th><th>status</th><th></th></tr><tr><td><code>OUT_OF_STOCK</code></td><td>409</td><td>Fewer items left than asked for</td></tr></table>");
  });

  it("turns a duplicate in a UNIQUE index into CONFLICT 409 naming the table and columns, SQLite's words only in the log", async () => {
    expect((await post("/api/shop/register", { writer: "ada", seq: 1 })).status).toBe(200);
    const res = await post("/api/shop/register", { writer: "ada", seq: 1 });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; message: string; details: unknown } };
    expect(body.error).toMatchObject({
      code: "CONFLICT",
      message: "entries (writer, seq): another row already has these values (UNIQUE constraint)",
      details: { constraint: "UNIQUE", table: "entries", columns: ["writer", "seq"] },
    });
    expect(JSON.stringify(body)).not.toMatch(/SQLITE|constraint failed/);
    const line = await waitFor("the conflict's log line", () => shopLog().find((l) => l.code === "CONFLICT"));
    expect(line).toMatchObject({ level: 40, msg: "request refused", status: 409, endpoint: "register" });
    expect(line.cause).toMatch(/UNIQUE constraint failed: entries\.writer, entries\.seq/);
  });

  it("logs a business error at warn without a stack, and a crash at error with one", async () => {
    const refused = await waitFor("the refusal's log line", () => shopLog().find((l) => l.code === "OUT_OF_STOCK" && l.endpoint === "reserve"));
    expect(refused).toMatchObject({ level: 40, msg: "request refused", status: 409, reason: "only 2 of tea left", details: { sku: "tea", asked: 5, left: 2 } });
    expect(refused.err).toBeUndefined();
    expect(JSON.stringify(refused)).not.toContain("    at ");
    const undeclared = await waitFor("the undeclared refusal's log line", () => shopLog().find((l) => l.code === "COUPON_EXPIRED"));
    expect(undeclared).toMatchObject({ level: 40, undeclared: true });
    expect(refused.undeclared).toBeUndefined();
    expect(shopLog().filter((l) => l.level >= 50 && l.msg === "handler failed")).toEqual([]);
    expect((await post("/api/shop/crash", {})).status).toBe(500);
    const crash = await waitFor("the crash's log line", () => shopLog().find((l) => l.code === "HANDLER_FAILED"));
    expect(crash).toMatchObject({ level: 50, msg: "handler failed", endpoint: "crash", err: { message: "shop crashed on purpose", stack: expect.stringContaining("    at ") } });
    // The actor runs from a bundle; its stack names the actor's source file and line (fixtures/actors/shop.ts, copied in as actors/shop/index.ts).
    expect((crash.err as { stack: string }).stack.split("\n")[1]).toMatch(/^ {4}at .*[\\/]actors[\\/]shop[\\/]index\.ts:38:15\)$/);
  });
});
