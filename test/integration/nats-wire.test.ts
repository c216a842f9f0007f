import { connect, headers as natsHeaders, type Msg, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsTransport, connectNats } from "../../runtime/bus/index.ts";
import { checkNatsInternals, headerBlock, WRITE_THRESHOLD_BYTES, writeThresholdOf } from "../../runtime/bus/nats-internals.ts";
import { openKeyValue } from "../../runtime/bus/nats-stores.ts";
import { encodeHeaders, headerReader, subjectSequence } from "../../runtime/bus/nats-wire.ts";
import { startNats, waitFor, type NatsHarness } from "../helpers/index.ts";

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
      expect(writeThresholdOf(connection)).toBe(WRITE_THRESHOLD_BYTES);
      expect(writeThresholdOf(nc)).toBeGreaterThan(WRITE_THRESHOLD_BYTES);
    } finally {
      await connection.close();
    }
  });

  it("watches a key-value bucket for later changes only, not the values it already holds", async () => {
    const transport = new NatsTransport(await connectNats({ url: nats.url, name: "kv-probe" }));
    try {
      const bucket = await transport.keyValue(`watch-${Math.random().toString(36).slice(2)}`);
      await bucket.put("user.old", new TextEncoder().encode("1"));
      const seen: string[] = [];
      const stop = await bucket.watch("user.*", (key, entry) => seen.push(`${key}=${entry ? new TextDecoder().decode(entry.value) : "deleted"}`));
      await bucket.put("user.new", new TextEncoder().encode("2"));
      await waitFor("the watcher to see user.new", () => seen.includes("user.new=2"), 5000);
      stop();
      expect(seen).toEqual(["user.new=2"]);
    } finally {
      await transport.close();
    }
  });

  /** A fresh bucket whose fast paths go through a transport's request, with the subjects they requested. */
  async function recordedBucket(name: string) {
    const transport = new NatsTransport(await connectNats({ url: nats.url, name: "kv-recorded" }));
    const sent: string[] = [];
    const bucket = await openKeyValue(nc, name, {}, (subject, body, options) => {
      sent.push(subject);
      return transport.request(subject, body, options);
    });
    return { bucket, sent, close: () => transport.close() };
  }

  it("reads a key-value entry in one direct get through the transport, as nats.js's kv.get reads it", async () => {
    const name = `reads-${Math.random().toString(36).slice(2)}`;
    const { bucket, sent, close } = await recordedBucket(name);
    try {
      const kv = await nc.jetstream().views.kv(name);
      const text = (entry: { value: Uint8Array } | null | undefined) => (entry ? new TextDecoder().decode(entry.value) : undefined);
      await kv.put("user.ada", new TextEncoder().encode("ada"));
      await kv.put("user.bob", new TextEncoder().encode("bob"));
      await kv.delete("user.bob");
      await kv.put("user.cy", new TextEncoder().encode("cy"));
      await kv.purge("user.cy");
      const cases = { present: "user.ada", absent: "user.none", deleted: "user.bob", purged: "user.cy" };
      for (const [what, key] of Object.entries(cases)) {
        sent.length = 0;
        const entry = await bucket.get(key);
        const theirs = await kv.get(key);
        expect(text(entry), what).toBe(theirs?.operation === "PUT" ? text(theirs) : undefined);
        if (entry) expect(entry.revision, what).toBe(theirs!.revision);
        // One request, the direct get: not nats.js's read, which the fallback would be.
        expect(sent, what).toEqual([`$JS.API.DIRECT.GET.KV_${name}.$KV.${name}.${key}`]);
      }
      expect(text(await bucket.get("user.ada"))).toBe("ada");
      await expect(bucket.get("user.*")).rejects.toThrow(/invalid key/);
    } finally {
      await close();
    }
  });

  it("creates a key that never held anything in one publish through the transport; a deleted or held one as kv.create does", async () => {
    const name = `creates-${Math.random().toString(36).slice(2)}`;
    const { bucket, sent, close } = await recordedBucket(name);
    try {
      const bytes = (text: string) => new TextEncoder().encode(text);
      const created = await bucket.putIf("order.1", bytes("new"), 0);
      expect(created.ok).toBe(true);
      expect(sent).toEqual([`$KV.${name}.order.1`]);
      const held = await bucket.putIf("order.1", bytes("again"), 0);
      expect(held).toEqual({ ok: false, actual: created.ok ? created.revision : -1 });
      await bucket.delete("order.1");
      const recreated = await bucket.putIf("order.1", bytes("after delete"), 0);
      expect(recreated.ok).toBe(true);
      expect(new TextDecoder().decode((await bucket.get("order.1"))!.value)).toBe("after delete");
      await expect(bucket.putIf("order.*", bytes("x"), 0)).rejects.toThrow(/invalid key/);
    } finally {
      await close();
    }
  });

  // The private state of nats.js that runtime/bus/nats-internals.ts reads. An upgrade of nats.js
  // that changes it fails here with lines naming that module, rather than slowing Fuse down.
  it("are all where runtime/bus/nats-internals.ts reads them, on plain and on service messages", async () => {
    const fuse = await connectNats({ url: nats.url, name: "internals-probe" });
    const received: Msg[] = [];
    const sub = fuse.subscribe("internals.plain", { max: 1, callback: (_err, msg) => received.push(msg) });
    const service = await fuse.services.add({ name: "internals-probe", version: "0.0.1" });
    service.addEndpoint("echo", {
      subject: "internals.service",
      handler: (_err, msg) => {
        received.push(msg);
        msg.respond(msg.data);
      },
    });
    await fuse.flush();
    nc.publish("internals.plain", "x", { headers: encodeHeaders({ "Fuse-Trace-Id": "t" }) });
    await nc.request("internals.service", "y", { timeout: 5000 });
    await sub.closed;
    await service.stop();
    expect(received).toHaveLength(2);
    const problems = checkNatsInternals(fuse, received);
    await fuse.close();
    expect(problems).toEqual([]);
  });

  it("names runtime/bus/nats-internals.ts and what changed when something is missing", () => {
    // A connection made without Fuse's options and a message of another shape.
    const changed = { data: new Uint8Array(0), subject: "x" } as unknown as Msg;
    expect(checkNatsInternals(nc, [changed])).toMatchInlineSnapshot(`
      [
        "runtime/bus/nats-internals.ts: nats.js no longer keeps its write threshold in protocol.pendingLimit, set by the hidden pendingLimit option (8192)",
        "runtime/bus/nats-internals.ts: nats.js no longer keeps a message's header length in _msg.hdr (a number)",
        "runtime/bus/nats-internals.ts: nats.js no longer keeps a message's bytes in _rdata (a Uint8Array)",
        "runtime/bus/nats-internals.ts: nats.js no longer keeps a message's subject bytes in _msg.subject (a Uint8Array)",
      ]
    `);
  });
});
