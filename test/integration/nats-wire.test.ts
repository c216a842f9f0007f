import { connect, headers as natsHeaders, type Msg, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNats } from "../../runtime/bus/index.ts";
import { encodeHeaders, headerBlock, headerReader, subjectSequence } from "../../runtime/bus/nats-wire.ts";
import { startNats, type NatsHarness } from "../helpers/index.ts";

// Fuse's own header codec must stay byte-compatible with nats.js (and so with every other
// NATS client) in both directions, on plain and on service messages.
describe("reading and writing NATS messages on the hot path", () => {
  let nats: NatsHarness;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  /** Publishes once on a fresh subject and resolves with the message as a subscriber sees it. */
  async function roundTrip(publish: (subject: string) => void, suffix = ""): Promise<Msg> {
    const subject = `headers.${Math.random().toString(36).slice(2)}${suffix}`;
    const sub = nc.subscribe(subject, { max: 1 });
    await nc.flush();
    publish(subject);
    for await (const msg of sub) return msg;
    throw new Error("no message");
  }

  it("writes headers that nats.js reads back, values trimmed", async () => {
    const msg = await roundTrip((s) =>
      nc.publish(s, "x", { headers: encodeHeaders({ "Fuse-Trace-Id": "abc", "Fuse-Deadline": "1700000000000", "X-Note": " Grüße " }) }),
    );
    expect(msg.headers?.get("Fuse-Trace-Id")).toBe("abc");
    expect(msg.headers?.get("Fuse-Deadline")).toBe("1700000000000");
    expect(msg.headers?.get("X-Note")).toBe("Grüße");
    expect(msg.string()).toBe("x");
  });

  it("reads headers nats.js wrote, without its decoder, with names matched case-insensitively", async () => {
    const h = natsHeaders();
    h.set("Fuse-Trace-Id", "t-1");
    h.set("fuse-caller", "python-client");
    h.set("Empty", "");
    const msg = await roundTrip((s) => nc.publish(s, "body", { headers: h }));
    expect(headerBlock(msg)).toBeInstanceOf(Uint8Array);
    const header = headerReader(msg);
    expect(header("Fuse-Trace-Id")).toBe("t-1");
    expect(header("Fuse-Caller")).toBe("python-client");
    expect(header("Empty")).toBeUndefined();
    expect(header("Missing")).toBeUndefined();
    expect(new TextDecoder().decode(msg.data)).toBe("body");
  });

  it("tells a message without headers apart", async () => {
    const msg = await roundTrip((s) => nc.publish(s, "plain"));
    expect(headerBlock(msg)).toBeNull();
    expect(headerReader(msg)("Fuse-Trace-Id")).toBeUndefined();
  });

  it("reads the headers of a service request", async () => {
    const service = await nc.services.add({ name: "headers-probe", version: "0.0.1" });
    let seen: string | undefined;
    let raw: Uint8Array | null | undefined;
    service.addEndpoint("echo", {
      subject: "headers.probe",
      handler: (_err, msg) => {
        raw = headerBlock(msg);
        seen = headerReader(msg)("Fuse-Trace-Id");
        msg.respond(msg.data, { headers: encodeHeaders({ "Fuse-Trace-Id": seen ?? "" }) });
      },
    });
    const h = natsHeaders();
    h.set("Fuse-Trace-Id", "svc-7");
    const reply = await nc.request("headers.probe", "hi", { headers: h, timeout: 5000 });
    await service.stop();
    expect(raw).toBeInstanceOf(Uint8Array);
    expect(seen).toBe("svc-7");
    expect(reply.headers?.get("Fuse-Trace-Id")).toBe("svc-7");
  });

  it("refuses a value with a line break and a name that is not a token, naming the header", () => {
    expect(() => encodeHeaders({ "Fuse-Trace-Id": "a\r\nForged: yes" })).toThrow(/header Fuse-Trace-Id: the value holds a line break/);
    expect(() => encodeHeaders({ "Bad Name": "x" })).toThrow(/header name "Bad Name" is not a valid token/);
  });

  it("reads the sequence number at the end of a reply subject from its bytes", async () => {
    expect(subjectSequence(await roundTrip((s) => nc.publish(s, ""), ".1234567"))).toBe(1234567);
    expect(subjectSequence(await roundTrip((s) => nc.publish(s, ""), ".0"))).toBe(0);
    expect(subjectSequence(await roundTrip((s) => nc.publish(s, ""), ".12a"))).toBeNaN();
    expect(subjectSequence(await roundTrip((s) => nc.publish(s, ""), ".x"))).toBeNaN();
  });

  it("connects with a smaller write threshold than nats.js's default, so bursts leave sooner", async () => {
    const connection = await connectNats({ url: nats.url, name: "flush-probe" });
    try {
      const limit = (connection as unknown as { protocol?: { pendingLimit?: number } }).protocol?.pendingLimit;
      expect(limit).toBe(8 * 1024);
    } finally {
      await connection.close();
    }
  });
});
