import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPrefix, startNats, waitFor, type NatsHarness } from "../helpers/index.ts";
import { claimA, claimB, lateActor, rawRequest, startGatewayOnNats, startOnNats, webActor } from "./gateway-fixtures.ts";

type Envelope = { error: { code: string; message: string; details?: unknown } };

// Actors and the gateway on a real nats-server, each on its own connection as in their own
// processes; requests over real HTTP.
describe("gateway over HTTP", () => {
  let nats: NatsHarness;
  let url: string;
  const prefix = freshPrefix();
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    nats = await startNats();
    for (const actor of [webActor, claimA, claimB]) closers.push((await startOnNats(actor, nats.url, prefix)).close);
    const started = await startGatewayOnNats(nats.url, prefix);
    closers.push(started.gateway.close);
    url = started.url;
    await waitFor("the gateway to see the actors", async () => ((await (await fetch(`${url}/api`)).json()) as { actors: unknown[] }).actors.length >= 4);
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await nats?.stop();
  });

  it("passes cookies both ways and only allow-listed headers to the handler", async () => {
    const res = await fetch(`${url}/session`, { headers: { cookie: "visit=before; other=1", "accept-language": "fr", "x-secret": "nope" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ seen: "before", lang: "fr", secret: null, method: "GET", path: "/session" });
    expect(res.headers.getSetCookie()).toEqual(["visit=yes; Path=/; Max-Age=60; HttpOnly; SameSite=Lax", "theme=dark%20mode; Path=/; HttpOnly; SameSite=Lax"]);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-not-allowed")).toBeNull();
  });

  it("makes a route's input from path parameters and query, typed by the input schema", async () => {
    const res = await fetch(`${url}/items/caf%C3%A9?limit=5&full=true&tags=a&tags=b&note=x%20y`);
    expect(await res.json()).toEqual({ id: "café", limit: 5, full: true, tags: ["a", "b"], note: "x y" });
    const put = await fetch(`${url}/items/7`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ note: "hi", id: "ignored" }) });
    expect(await put.json()).toEqual({ id: "7", note: "hi" });
  });

  it("reports two actors claiming one route as a conflict instead of picking one", async () => {
    const res = await fetch(`${url}/shared/1`);
    expect(res.status).toBe(409);
    const body = (await res.json()) as Envelope;
    expect(body.error.code).toBe("CONFLICT");
    expect(body.error.message).toMatchInlineSnapshot(`"route GET /shared/:id is claimed by "claim-a.get" and "claim-b.get"; it is not served until only one claims it"`);
    const index = (await (await fetch(`${url}/api`)).json()) as { conflicts: { claimants: string[] }[] };
    expect(index.conflicts.map((c) => c.claimants)).toEqual([["claim-a.get", "claim-b.get"]]);
  });

  it("follows an actor that arrives after the gateway and one that leaves, without a restart", async () => {
    const late = await startOnNats(lateActor, nats.url, prefix);
    try {
      // The first request for an unknown actor makes the gateway look again.
      const arrived = await fetch(`${url}/api/late/ping`, { method: "POST", headers: { "content-type": "application/json" } });
      expect(await arrived.json()).toEqual({ pong: true });
      expect((await fetch(`${url}/late`)).status).toBe(200);
    } finally {
      await late.close();
    }
    const gone = await waitFor("the gateway to see the actor gone", async () => {
      const res = await fetch(`${url}/api/late/ping`, { method: "POST", headers: { "content-type": "application/json" } });
      return res.status === 503 ? ((await res.json()) as Envelope) : undefined;
    });
    expect(gone.error.code).toBe("NO_LIVE_INSTANCE");
    // The bus says so at once; the index follows after the actor missed two discovery rounds.
    await waitFor("the index to show the actor offline", async () => {
      const index = (await (await fetch(`${url}/api`)).json()) as { actors: { name: string; live: boolean }[] };
      return index.actors.find((a) => a.name === "late")?.live === false;
    });
  });

  it("answers 504 when the request's deadline passes before the reply", async () => {
    const res = await fetch(`${url}/api/web/slow`, {
      method: "POST",
      headers: { "content-type": "application/json", "Fuse-Deadline": String(Date.now() + 300) },
      body: JSON.stringify({ ms: 10_000 }),
    });
    expect(res.status).toBe(504);
    expect(((await res.json()) as Envelope).error.code).toBe("DEADLINE_EXCEEDED");
  });

  it("serves GET /api/<actor>/<endpoint> as the endpoint's description", async () => {
    const res = await fetch(`${url}/api/web/item`);
    expect(await res.json()).toMatchObject({ target: "web.item", http: { method: "GET", path: "/items/:id" } });
  });
});

describe("gateway under bad input", () => {
  let nats: NatsHarness;
  let url: string;
  const prefix = freshPrefix();
  const closers: (() => Promise<void>)[] = [];
  const post = (path: string, body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
    fetch(url + path, { method: "POST", headers, body });

  beforeAll(async () => {
    nats = await startNats();
    closers.push((await startOnNats(webActor, nats.url, prefix)).close);
    const started = await startGatewayOnNats(nats.url, prefix, { bodyLimitBytes: 64 * 1024 });
    closers.push(started.gateway.close);
    url = started.url;
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await nats?.stop();
  });

  it("answers malformed JSON with 400 naming the problem", async () => {
    const res = await post("/api/web/echo", '{"a": 1,');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchInlineSnapshot(`
      {
        "error": {
          "code": "BAD_REQUEST",
          "message": "request body is not valid JSON: Expected double-quoted property name in JSON at position 8",
        },
      }
    `);
  });

  it("answers an oversized body with 413 and keeps serving", async () => {
    const res = await post("/api/web/echo", JSON.stringify({ big: "x".repeat(200_000) }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as Envelope).error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", message: "request body is larger than the limit of 65536 bytes" });
    expect((await post("/api/web/echo", '{"small":true}')).status).toBe(200);
  });

  it("answers a body of another content type with 415", async () => {
    const res = await post("/api/web/echo", "a=1", { "content-type": "application/x-www-form-urlencoded" });
    expect(res.status).toBe(415);
    expect(((await res.json()) as Envelope).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers unknown routes, actors and endpoints with JSON 404s", async () => {
    const route = await fetch(`${url}/no/such/page`);
    expect(route.status).toBe(404);
    expect(((await route.json()) as Envelope).error.code).toBe("NOT_FOUND");
    const actor = await post("/api/nobody/hello", "{}");
    expect(await actor.json()).toMatchInlineSnapshot(`
      {
        "error": {
          "code": "ACTOR_NOT_FOUND",
          "message": "no actor "nobody" on this hub",
        },
      }
    `);
    const endpoint = await post("/api/web/nothing", "{}");
    expect(endpoint.status).toBe(404);
    expect(((await endpoint.json()) as Envelope).error).toMatchObject({ code: "ENDPOINT_NOT_FOUND", message: 'actor "web" has no endpoint "nothing"' });
    expect((await post("/api/web/echo/extra", "{}")).status).toBe(404);
  });

  it("refuses traversal attempts and odd characters in path parameters with clear 400s", async () => {
    // Sent raw: fetch would resolve the dot segments before sending.
    for (const path of ["/items/..%2F..%2Fetc%2Fpasswd", "/items/%2e%2e", "/items/a%5Cb", "/items/%00", "/items/%E0%A4%A"]) {
      const res = await rawRequest(url, "GET", path);
      expect(res.status, path).toBe(400);
      expect((JSON.parse(res.body) as Envelope).error.code, path).toBe("BAD_REQUEST");
    }
    const raw = await rawRequest(url, "GET", "/items/../../etc/passwd");
    expect(raw.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(raw.body)).toHaveProperty("error.code");
    const oddActor = await post("/api/..%2F..%2Fweb/echo", "{}");
    expect(oddActor.status).toBe(404);
    expect(((await oddActor.json()) as Envelope).error.code).toBe("ACTOR_NOT_FOUND");
    const emoji = await fetch(`${url}/items/%F0%9F%98%80%20%3Cb%3E`);
    expect(await emoji.json()).toEqual({ id: "😀 <b>" });
  });

  it("keeps serving while many slow requests time out, each with a JSON 504", async () => {
    const slow = Array.from({ length: 200 }, () =>
      fetch(`${url}/api/web/slow`, {
        method: "POST",
        headers: { "content-type": "application/json", "Fuse-Deadline": String(Date.now() + 1500) },
        body: JSON.stringify({ ms: 30_000 }),
      }),
    );
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect((await post("/api/web/echo", '{"still":"here"}')).status).toBe(200);
    const results = await Promise.all(slow.map(async (p) => { const r = await p; return [r.status, ((await r.json()) as Envelope).error?.code]; }));
    expect(new Set(results.map((r) => r.join(" ")))).toEqual(new Set(["504 DEADLINE_EXCEEDED"]));
    expect((await post("/api/web/echo", '{"after":"all"}')).status).toBe(200);
  });
});
