import path from "node:path";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { natsAuthenticator } from "../../runtime/bus/index.ts";
import { ErrorCode, eventConsumerName, eventStreamName, inboxPrefix } from "../../runtime/protocol/index.ts";
import { createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

// Buckets and event consumers on a real hub with bus identities: each actor reaches its own
// buckets and those it declares, consumes only the topics it subscribes to, and a raw NATS
// client holding an actor's credential cannot get around the SDK's check.
const config = "discover: false\nactors:\n  alpha: {}\n  beta: {}\n";

describe("bucket isolation: an actor's identity reaches only the buckets and event consumers its definition uses", () => {
  let dir: string;
  let hub: RunningHub;
  let prefix: string;

  /** A plain nats.js client holding `actor`'s own credential, as hostile code in that actor could. */
  const rawAs = (actor: string): Promise<NatsConnection> =>
    connect({ servers: hub.state.natsUrl, authenticator: natsAuthenticator(path.join(dir, ".fuse/nats/creds", `${actor}.creds`)), inboxPrefix: inboxPrefix(actor), timeout: 10_000 });

  beforeAll(async () => {
    dir = createHubDir({ config, actors: { alpha: "bucket-user", beta: "bucket-user" } });
    hub = await startHub(dir);
    prefix = hub.state.prefix;
  });
  afterAll(async () => {
    if (process.env.KEEP_LOGS) (await import("node:fs")).cpSync(path.join(dir, ".fuse/logs"), process.env.KEEP_LOGS, { recursive: true });
    await hub?.stop();
    removeHubDir(dir);
  });

  it("lets an actor use its own buckets and share a declared one with another actor that declares it", async () => {
    await hub.call("alpha.kv-put", { key: "k", value: "alpha's" });
    await hub.call("beta.kv-put", { key: "k", value: "beta's" });
    expect(await hub.call("alpha.kv-get", { key: "k" })).toEqual({ value: "alpha's" });
    await hub.call("alpha.kv-put", { bucket: "shared-stock", key: "apple", value: 7 });
    expect(await hub.call("beta.kv-get", { bucket: "shared-stock", key: "apple" })).toEqual({ value: 7 });
    await hub.call("alpha.kv-put", { bucket: "short-lived", key: "s", value: 1 });
    await hub.call("alpha.file-put", { key: "own.txt", text: "mine" });
    await hub.call("alpha.file-put", { bucket: "shared-docs", key: "doc.txt", text: "shared" });
    expect(await hub.call("beta.file-read", { bucket: "shared-docs", key: "doc.txt" })).toEqual({ text: "shared" });
    expect(await hub.call("beta.file-read", { key: "own.txt" })).toEqual({ text: null });
  });

  it("refuses an undeclared bucket, or another actor's own, with FORBIDDEN naming it and what to do", async () => {
    await expect(hub.call("alpha.kv-put", { bucket: `${prefix}-kv-beta`, key: "k", value: 1 })).rejects.toMatchObject({
      code: ErrorCode.FORBIDDEN,
      message: `actor "alpha" may not use kv bucket "${prefix}-kv-beta": it is actor "beta"'s own, and declaring it gives no access; call "beta" for its data, or keep shared data in a bucket both actors declare`,
    });
    await expect(hub.call("alpha.file-read", { bucket: "private-docs", key: "x" })).rejects.toMatchObject({
      code: ErrorCode.FORBIDDEN,
      message: expect.stringContaining('may not use file bucket "private-docs": it is not declared; add buckets: { files: ["private-docs"] }'),
    });
    expect(await hub.call("beta.kv-get", { key: "k" })).toEqual({ value: "beta's" });
  });

  it("lets an actor emit to any topic but consume only its own, under the derived rights", async () => {
    await hub.call("alpha.emit", { topic: "beta.ping" });
    await hub.call("beta.emit", { topic: "beta.ping" });
    await waitFor("beta to get both pings", async () => (await hub.call<{ pings: number }>("beta.pings", {})).pings === 2, 20_000, 100);
    expect(await hub.call("alpha.pings", {})).toEqual({ pings: 0 });
  });

  it("refuses a raw client with alpha's credential every way into beta's buckets, beta's event consumer and stream making, while its own bucket works", async () => {
    const nc = await rawAs("alpha");
    const stream = eventStreamName(prefix);
    const betaConsumer = eventConsumerName("beta", "beta.ping");
    const enc = new TextEncoder();
    const results: { attempt: string; outcome: string }[] = [];
    const attempt = async (name: string, act: () => Promise<unknown>) => {
      try {
        await act();
        results.push({ attempt: name, outcome: "allowed" });
      } catch (error) {
        const code = (error as { code?: string }).code;
        results.push({ attempt: name, outcome: code === "PERMISSIONS_VIOLATION" ? "refused" : `failed: ${code ?? ""} ${(error as Error).message}` });
      }
    };
    try {
      const js = nc.jetstream();
      const jsm = await nc.jetstreamManager();
      // Its own bucket works: the refusals below are the rights, not a broken client.
      const own = await js.views.kv(`${prefix}-kv-alpha`);
      await own.put("raw", enc.encode("1"));
      expect((await own.get("raw"))?.string()).toBe("1");

      await attempt("open beta's kv bucket", () => js.views.kv(`${prefix}-kv-beta`));
      await attempt("direct get from beta's kv bucket", () => nc.request(`$JS.API.DIRECT.GET.KV_${prefix}-kv-beta.$KV.${prefix}-kv-beta.k`, undefined, { timeout: 5000 }));
      await attempt("write into beta's kv bucket", () => js.publish(`$KV.${prefix}-kv-beta.k`, enc.encode("forged"), { timeout: 5000 }));
      await attempt("read beta's kv bucket by sequence", () => jsm.streams.getMessage(`KV_${prefix}-kv-beta`, { seq: 1 }));
      // views.os() swallows a refused lookup, so the refusal shows on the first read.
      await attempt("list beta's file bucket", async () => (await js.views.os(`${prefix}-files-beta`)).list());
      await attempt("make beta's event consumer", () => jsm.consumers.add(stream, { durable_name: betaConsumer, filter_subject: `${prefix}.events.beta.ping` }));
      await attempt("point its own consumer at beta's topic", () => jsm.consumers.add(stream, { durable_name: eventConsumerName("alpha", "alpha.ping"), filter_subject: `${prefix}.events.beta.ping` }));
      await attempt("make an unnamed consumer on the event stream", () => nc.request(`$JS.API.CONSUMER.CREATE.${stream}`, enc.encode(JSON.stringify({ stream_name: stream, config: { filter_subject: `${prefix}.events.>` } })), { timeout: 5000 }));
      await attempt("pull from beta's event consumer", () => nc.request(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${betaConsumer}`, enc.encode(JSON.stringify({ batch: 1, no_wait: true })), { timeout: 5000 }));
      await attempt("make a stream capturing beta's requests", () => jsm.streams.add({ name: "capture", subjects: [`${prefix}.beta.>`] }));
      await attempt("rewrite its own bucket's stream to capture beta's requests", () => jsm.streams.update(`KV_${prefix}-kv-alpha`, { subjects: [`$KV.${prefix}-kv-alpha.>`, `${prefix}.beta.>`] }));
      await attempt("delete the event stream", () => jsm.streams.delete(stream));
    } finally {
      await nc.close();
    }
    expect(results).toHaveLength(12);
    expect(results.filter((r) => r.outcome !== "refused")).toEqual([]);
    // Nothing reached beta: its bucket still holds what it wrote, its consumer still delivers.
    expect(await hub.call("beta.kv-get", { key: "k" })).toEqual({ value: "beta's" });
    await hub.call("alpha.emit", { topic: "beta.ping" });
    await waitFor("beta to get the next ping", async () => (await hub.call<{ pings: number }>("beta.pings", {})).pings === 3, 20_000, 100);
  });
});
