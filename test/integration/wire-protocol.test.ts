import { connect, headers as natsHeaders, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsTransport, callEndpoint, connectNats } from "../../runtime/bus/index.ts";
import { FuseError } from "../../runtime/errors/index.ts";
import { defineActor } from "../../runtime/sdk/index.ts";
import { createLogger } from "../../runtime/log/index.ts";
import { startActor, type RunningActor } from "../../runtime/sdk/internal.ts";
import counter from "../../actors/counter/index.ts";
import greeter from "../../actors/greeter/index.ts";
import { Writable } from "node:stream";
import { startNats, waitFor, type NatsHarness } from "../helpers/index.ts";

// Raw nats.js stands in for "any NATS client in any language": only the documented contract.
describe("wire protocol, seen from a plain NATS client", () => {
  let nats: NatsHarness;
  let raw: NatsConnection;
  const actors: RunningActor[] = [];
  const transports: NatsTransport[] = [];

  beforeAll(async () => {
    nats = await startNats();
    raw = await connect({ servers: nats.url });
    for (const actor of [greeter, counter]) {
      const transport = new NatsTransport(await connectNats({ url: nats.url, name: actor.name }));
      transports.push(transport);
      actors.push(await startActor(actor, { transport, log: createLogger({ actor: actor.name, level: "silent" }) }));
    }
  });
  afterAll(async () => {
    for (const a of actors) await a.stop();
    for (const t of transports) await t.close();
    await raw?.close();
    await nats?.stop();
  });

  const request = (subject: string, body: string) => raw.request(subject, body, { timeout: 5000 });

  it("answers fuse.<actor>.<endpoint> with the output as JSON", async () => {
    const reply = await request("fuse.greeter.hello", JSON.stringify({ name: "Ada" }));
    expect(reply.headers?.get("Nats-Service-Error-Code") ?? "").toBe("");
    expect(reply.json()).toEqual({ greeting: "Hello, Ada!", visits: 1 });
  });

  it("rejects invalid input with status 400, the micro error headers and a VALIDATION_FAILED envelope", async () => {
    const reply = await request("fuse.greeter.hello", JSON.stringify({ name: 42 }));
    expect(reply.headers?.get("Nats-Service-Error-Code")).toBe("400");
    expect(reply.headers?.get("Nats-Service-Error")).toMatchInlineSnapshot(`"greeter.hello input.name: Invalid input: expected string, received number"`);
    expect(reply.json()).toMatchInlineSnapshot(`
      {
        "error": {
          "actor": "greeter",
          "code": "VALIDATION_FAILED",
          "details": {
            "issues": [
              {
                "code": "invalid_type",
                "message": "Invalid input: expected string, received number",
                "path": "name",
              },
            ],
          },
          "message": "greeter.hello input.name: Invalid input: expected string, received number",
        },
      }
    `);
  });

  it("answers malformed JSON with 400 BAD_REQUEST naming the problem", async () => {
    const reply = await request("fuse.greeter.hello", "{nope");
    expect(reply.headers?.get("Nats-Service-Error-Code")).toBe("400");
    expect((reply.json() as { error: { code: string; message: string } }).error).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^greeter\.hello: body is not valid JSON/),
    });
  });

  it("answers a throwing handler with 500 HANDLER_FAILED and its message, without its stack", async () => {
    const reply = await request("fuse.greeter.fail", "{}");
    expect(reply.headers?.get("Nats-Service-Error-Code")).toBe("500");
    expect(reply.json()).toMatchInlineSnapshot(`
      {
        "error": {
          "actor": "greeter",
          "code": "HANDLER_FAILED",
          "message": "greeter failed on purpose",
        },
      }
    `);
  });

  it("answers a request whose Fuse-Deadline has passed with 504 DEADLINE_EXCEEDED", async () => {
    const h = natsHeaders();
    h.set("Fuse-Deadline", String(Date.now() - 1));
    const reply = await raw.request("fuse.greeter.hello", JSON.stringify({ name: "Ada" }), { timeout: 5000, headers: h });
    expect(reply.headers?.get("Nats-Service-Error-Code")).toBe("504");
    expect((reply.json() as { error: { code: string } }).error.code).toBe("DEADLINE_EXCEEDED");
  });

  it("registers each actor as a NATS micro service that $SRV.PING finds", async () => {
    const names: string[] = [];
    for await (const m of await raw.requestMany("$SRV.PING", "", { maxWait: 500 })) names.push((m.json() as { name: string }).name);
    expect(names.sort()).toEqual(["counter", "greeter"]);
  });

  it("publishes endpoints in $SRV.INFO with subject, queue group and JSON Schemas of input and output", async () => {
    const info = (await request("$SRV.INFO.greeter", "")).json() as {
      endpoints: { name: string; subject: string; queue_group: string; metadata: Record<string, string> }[];
    };
    const hello = info.endpoints.find((e) => e.name === "hello")!;
    expect(hello).toMatchObject({ subject: "fuse.greeter.hello", queue_group: "greeter" });
    expect(JSON.parse(hello.metadata["fuse.input"]!)).toMatchObject({
      type: "object",
      properties: { name: { type: "string", minLength: 1 } },
      required: ["name"],
    });
    expect(JSON.parse(hello.metadata["fuse.output"]!)).toMatchObject({ properties: { greeting: { type: "string" } } });
    expect(JSON.parse(hello.metadata["fuse.http"]!)).toEqual({ method: "GET", path: "/hello/:name" });
  });

  it("reports request and error counts in $SRV.STATS", async () => {
    const stats = (await request("$SRV.STATS.greeter", "")).json() as {
      endpoints: { name: string; data: { requests: number; errors: number } }[];
    };
    const fail = stats.endpoints.find((e) => e.name === "fail")!;
    expect(fail.data).toMatchObject({ requests: 1, errors: 1 });
  });

  it("turns the error replies of a plain NATS micro service (status headers, no envelope) into typed Fuse errors", async () => {
    const plain = await raw.services.add({ name: "plain", version: "1.0.0" });
    const statuses = { invalid: 400, missing: 404, teapot: 418, broken: 500, bad: 502, down: 503, late: 504 };
    for (const [name, status] of Object.entries(statuses)) {
      plain.addEndpoint(name, { subject: `fuse.plain.${name}`, handler: (_err, msg) => void msg.respondError(status, `${name} on purpose`) });
    }
    plain.addEndpoint("throws", {
      subject: "fuse.plain.throws",
      handler: () => {
        throw new Error("thrown on purpose");
      },
    });
    // The endpoints' subscriptions reach the server before anything is sent to them.
    await raw.flush();
    const seen: Record<string, unknown> = {};
    try {
      for (const endpoint of [...Object.keys(statuses), "throws"]) {
        const target = { subject: `fuse.plain.${endpoint}`, actor: "plain", endpoint };
        const error = await callEndpoint(transports[0]!, target, {}, { headers: {}, timeoutMs: 5000 }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(FuseError);
        const { name, code, status, message, details } = error as FuseError;
        seen[endpoint] = `${name} ${code} ${status}: ${message}${details ? ` ${JSON.stringify(details)}` : ""}`;
      }
    } finally {
      await plain.stop();
    }
    expect(seen).toMatchInlineSnapshot(`
      {
        "bad": "HandlerError HANDLER_FAILED 500: bad on purpose {"status":502}",
        "broken": "HandlerError HANDLER_FAILED 500: broken on purpose",
        "down": "UnavailableError NO_LIVE_INSTANCE 503: down on purpose",
        "invalid": "ValidationError VALIDATION_FAILED 400: invalid on purpose",
        "late": "DeadlineExceededError DEADLINE_EXCEEDED 504: late on purpose",
        "missing": "NotFoundError NOT_FOUND 404: missing on purpose",
        "teapot": "ValidationError BAD_REQUEST 400: teapot on purpose {"status":418}",
        "throws": "HandlerError HANDLER_FAILED 500: thrown on purpose",
      }
    `);
  });

  it("skips an event whose payload is not JSON with a warning naming the topic, and delivers the next one", async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    const received: unknown[] = [];
    const listener = defineActor({ name: "listener", endpoints: {}, events: { "order.placed": (payload) => void received.push(payload) } });
    const transport = new NatsTransport(await connectNats({ url: nats.url, name: "listener" }));
    const running = await startActor(listener, { transport, log: createLogger({ actor: "listener", level: "warn", destination }) });
    try {
      await transport.flush();
      raw.publish("fuse.events.order.placed", "{not json");
      raw.publish("fuse.events.order.placed", JSON.stringify({ id: 7 }));
      await waitFor("the well-formed event", () => received.length > 0, 5000);
      expect(received).toEqual([{ id: 7 }]);
      expect(lines.map(({ lvl, msg, topic, code, err }) => ({ lvl, msg, topic, code, message: (err as { message: string }).message }))).toMatchInlineSnapshot(`
        [
          {
            "code": "BAD_REQUEST",
            "lvl": "warn",
            "message": "event order.placed: payload is not valid JSON (Expected property name or '}' in JSON at position 1)",
            "msg": "malformed event skipped",
            "topic": "order.placed",
          },
        ]
      `);
      await transport.flush();
    } finally {
      await running.stop();
      await transport.close();
    }
  });
});
