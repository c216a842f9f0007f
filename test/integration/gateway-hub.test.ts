import { readFileSync } from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActorStatus, HubState } from "../../runtime/protocol/index.ts";
import { copyDemoHub, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

// The gateway as `fuse up` runs it: its own process, port picked by the hub's config (0).
describe("gateway in a running hub", () => {
  let dir: string;
  let hub: RunningHub;
  let url: string;

  const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url + p, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    dir = copyDemoHub();
    hub = await startHub(dir);
    url = hub.state.gatewayUrl!;
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("writes the gateway's URL to .fuse/state.json and answers health and readiness there", async () => {
    const state = JSON.parse(readFileSync(path.join(dir, ".fuse/state.json"), "utf8")) as HubState;
    expect(state.gatewayUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: "ok" });
    await waitFor("the gateway to be ready", async () => (await fetch(`${url}/ready`)).status === 200);
  });

  it("calls an endpoint with POST /api/<actor>/<endpoint> and returns the caller's trace id", async () => {
    const res = await post("/api/greeter/hello", { name: "Ada" }, { "Fuse-Trace-Id": "gatewaytrace0001" });
    expect(res.status).toBe(200);
    expect(res.headers.get("fuse-trace-id")).toBe("gatewaytrace0001");
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ greeting: "Hello, Ada!", visits: 1 });
  });

  it("serves an endpoint's own route with its path parameter as input, and a new trace id when none was sent", async () => {
    const res = await fetch(`${url}/hello/Grace%20Hopper`);
    expect(res.status).toBe(200);
    expect(res.headers.get("fuse-trace-id")).toMatch(/^[0-9a-f]{32}$/);
    expect(await res.json()).toEqual({ greeting: "Hello, Grace Hopper!", visits: 1 });
  });

  it("maps a validation failure to 400 and a handler failure to 500, both as JSON envelopes", async () => {
    const invalid = await post("/api/greeter/hello", { name: 42 });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_FAILED");
    const failed = await post("/api/greeter/fail", {});
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchInlineSnapshot(`
      {
        "error": {
          "actor": "greeter",
          "code": "HANDLER_FAILED",
          "message": "greeter failed on purpose",
        },
      }
    `);
  });

  it("reaches the hub actor like any other: hub.list and a restart through HTTP", async () => {
    const list = (await (await post("/api/hub/list", {})).json()) as { actors: ActorStatus[] };
    expect(list.actors.map((a) => a.name)).toEqual(expect.arrayContaining(["greeter", "counter", "gateway"]));
    const before = list.actors.find((a) => a.name === "counter")!.restarts;
    const restarted = await post("/api/hub/restart", { name: "counter" }, { "Fuse-Deadline": String(Date.now() + 60_000) });
    expect(restarted.status).toBe(200);
    expect(((await restarted.json()) as ActorStatus).restarts).toBeGreaterThan(before);
  });

  it("lists every actor and endpoint with its schemas at GET /api", async () => {
    const index = (await (await fetch(`${url}/api`)).json()) as {
      actors: { name: string; endpoints: { name: string; http?: unknown; input: { properties?: object } }[] }[];
    };
    const greeter = index.actors.find((a) => a.name === "greeter")!;
    const hello = greeter.endpoints.find((e) => e.name === "hello")!;
    expect(hello.http).toEqual({ method: "GET", path: "/hello/:name" });
    expect(hello.input.properties).toHaveProperty("name");
  });

  it("generates an OpenAPI 3.1 document that a validator accepts", async () => {
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, object> };
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/api/greeter/hello", "/hello/{name}", "/api/hub/restart"]));
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("renders readable docs at GET /docs and the dashboard at /dashboard", async () => {
    const docs = await (await fetch(`${url}/docs`)).text();
    expect(docs).toContain("greeter.hello");
    expect(docs).toContain("GET /hello/:name");
    const dashboard = await fetch(`${url}/dashboard`);
    expect(dashboard.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await dashboard.text()).toContain("/dashboard/app.js");
  });
});
