import type { NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNats } from "../../runtime/bus/index.ts";
import { defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";
import { freshPrefix, startNats, type NatsHarness } from "../helpers/index.ts";
import { standInInstance } from "../helpers/stand-in-instance.ts";
import { rawRequest, startGatewayOnNats, startOnNats, webActor } from "./gateway-fixtures.ts";

type Envelope = { error: { code: string; message: string; details?: unknown } };

/** Takes a large input and answers with its size only, so that only the request is large. */
const sinkActor = defineActor({
  name: "sink",
  endpoints: { take: defineEndpoint({ input: z.object({ big: z.string() }), output: z.object({ length: z.number() }), handler: ({ big }) => ({ length: big.length }) }) },
});

// Requests an outside attack found the gateway mishandling, each against a real gateway on a
// real nats-server (default max_payload, 1 MiB) with the gateway's default body limit (1 MiB).
describe("gateway under hostile requests", () => {
  let nats: NatsHarness;
  let url: string;
  const prefix = freshPrefix();
  const closers: (() => Promise<void>)[] = [];
  // Headers the gateway passes on are set, so that the bus limit left for the body stays the same.
  const headers = { "content-type": "application/json", accept: "application/json", "accept-language": "en", "user-agent": "fuse-test" };
  const post = (path: string, body: string) => fetch(url + path, { method: "POST", headers, body });

  beforeAll(async () => {
    nats = await startNats();
    for (const actor of [webActor, sinkActor]) closers.push((await startOnNats(actor, nats.url, prefix)).close);
    const started = await startGatewayOnNats(nats.url, prefix);
    closers.push(started.gateway.close);
    url = started.url;
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await nats?.stop();
  });

  it("answers a method a path does not serve with 405 and the methods it does serve", async () => {
    const answers: string[] = [];
    for (const [method, path] of [["DELETE", "/session"], ["PUT", "/api/web/echo"], ["DELETE", "/items/7"], ["POST", "/files/a.txt"], ["DELETE", "/health"]]) {
      const res = await fetch(url + path, { method });
      const { error } = (await res.json()) as Envelope;
      answers.push(`${res.status} ${error.code} Allow: ${res.headers.get("allow")} | ${error.message}`);
    }
    expect(answers).toMatchInlineSnapshot(`
      [
        "405 METHOD_NOT_ALLOWED Allow: GET, HEAD | method DELETE is not served on /session; it serves GET, HEAD",
        "405 METHOD_NOT_ALLOWED Allow: GET, HEAD, POST | method PUT is not served on /api/web/echo; it serves GET, HEAD, POST",
        "405 METHOD_NOT_ALLOWED Allow: GET, HEAD, PUT | method DELETE is not served on /items/7; it serves GET, HEAD, PUT",
        "405 METHOD_NOT_ALLOWED Allow: DELETE, GET, HEAD, PUT | method POST is not served on /files/a.txt; it serves DELETE, GET, HEAD, PUT",
        "405 METHOD_NOT_ALLOWED Allow: GET, HEAD | method DELETE is not served on /health; it serves GET, HEAD",
      ]
    `);
  });

  it("refuses a body nested deeper than the limit with 400 naming the limit", async () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    for (const path of ["/api/web/echo", "/items/1"]) {
      const res = await fetch(url + path, { method: path === "/items/1" ? "PUT" : "POST", headers: { "content-type": "application/json" }, body: deep });
      expect(res.status, path).toBe(400);
      const { error } = (await res.json()) as Envelope;
      expect(error.code, path).toBe("BAD_REQUEST");
      expect(error.message, path).toMatchInlineSnapshot(`"request body nests arrays and objects deeper than the limit of 128 levels"`);
    }
  });

  it("answers bad percent-encoding in a file path with 400 naming the path", async () => {
    const res = await rawRequest(url, "GET", "/files/%E0%A4%A");
    expect(res.status).toBe(400);
    const { error } = JSON.parse(res.body) as Envelope;
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toMatchInlineSnapshot(`"file path "/files/%E0%A4%A" is not valid percent-encoding: expected %XX escapes of UTF-8 bytes"`);
  });

  it("answers a body under the gateway's limit but too large for the bus with 413 naming size and limit", async () => {
    const body = (size: number) => `{"big":"${"x".repeat(size - 10)}"}`;
    const res = await post("/api/sink/take", body(1024 * 1024 - 200));
    expect(res.status).toBe(413);
    const { error } = (await res.json()) as Envelope & { error: { details: { limit: number } } };
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.message).toMatchInlineSnapshot(`"request body of 1048376 bytes for sink.take is above the limit of 1048254 bytes: the bus carries 1048576 bytes (max_payload), 322 of them headers"`);
    // The limit named is exact for a request with these headers: the bus carries it, and not a byte more.
    const { limit } = error.details;
    expect((await post("/api/sink/take", body(limit))).status).toBe(200);
    expect((await post("/api/sink/take", body(limit + 1))).status).toBe(413);
  });
});

/** The actor whose instances the tests below swap by hand. */
const swapActor = defineActor({
  name: "swap",
  endpoints: { echo: defineEndpoint({ input: z.object({ text: z.string() }), output: z.object({ text: z.string() }), handler: (input) => input }) },
});

// The moment of a rolling restart in which the bus finds nobody on an endpoint's subject while
// an instance of the actor is live: the new one before its subscriptions reach the server (or
// the old one leaving). The test's own connection plays that instance, answering pings and
// `$SRV.INFO` with the endpoint declared; the gateway's discovery stays idle, so its route
// table still knows the endpoint from when it was served.
describe("gateway while an instance is live but does not serve yet", () => {
  let nats: NatsHarness;
  let bus: NatsConnection;
  let url: string;
  const prefix = freshPrefix();
  const closers: (() => Promise<void>)[] = [];
  const call = () => fetch(`${url}/api/swap/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"text":"x"}' });

  /** A starting instance of `swap` that declares `echo`; `onInfo` runs before each INFO answer. */
  const standIn = (onInfo?: (n: number) => Promise<void>) => standInInstance(bus, "swap", [`${prefix}.swap.echo`], onInfo);

  beforeAll(async () => {
    nats = await startNats();
    bus = await connectNats({ url: nats.url, name: "stand-in" });
    const swap = await startOnNats(swapActor, nats.url, prefix);
    const started = await startGatewayOnNats(nats.url, prefix, { discoveryIntervalMs: 600_000 });
    closers.push(started.gateway.close);
    url = started.url;
    expect(await (await call()).json()).toEqual({ text: "x" });
    await swap.close();
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await bus?.close();
    await nats?.stop();
  });

  it("answers 503 NO_LIVE_INSTANCE, not 404, after trying again while the gap lasts", async () => {
    const instance = await standIn();
    try {
      const res = await call();
      expect(res.status).toBe(503);
      const { error } = (await res.json()) as Envelope & { error: { retryable?: boolean } };
      expect(error).toMatchObject({ code: "NO_LIVE_INSTANCE", retryable: true });
      expect(error.message).toBe(`no live instance of actor "swap" serves ${prefix}.swap.echo`);
      // Each attempt that found nobody on the subject asked the actor what it serves.
      expect(instance.asked()).toBeGreaterThan(1);
    } finally {
      instance.stop();
    }
  });

  it("serves a call that arrived in the gap once the instance serves the endpoint", async () => {
    const instance = await standIn(async (n) => {
      if (n !== 1) return;
      bus.subscribe(`${prefix}.swap.echo`, { queue: "swap", callback: (_err, msg) => msg.respond('{"text":"served after the gap"}') });
      // On the server before the INFO answer, so the next attempt finds the subscription.
      await bus.flush();
    });
    try {
      const res = await call();
      expect([res.status, await res.json()]).toEqual([200, { text: "served after the gap" }]);
    } finally {
      instance.stop();
    }
  });
});
