import { describe, expect, it } from "vitest";
import { InProcessTransport } from "../../../runtime/sdk/internal.ts";
import { KvLease } from "../../../runtime/hub/cluster/kv-lease.ts";
import { claimTick } from "../../../runtime/hub/cluster/tick-claims.ts";
import { createLogger } from "../../../runtime/log/index.ts";

const neverLog = createLogger({ actor: "test", level: "silent" });

/** Two nodes' leases on one bucket, each with a clock the test moves. */
async function twoNodes(ttlMs = 3000) {
  const bucket = await new InProcessTransport().keyValue("leases");
  const clock = { a: 0, b: 0 };
  const events: string[] = [];
  const lease = (node: "a" | "b") =>
    new KvLease({ bucket, key: "schedules", holder: node, ttlMs, log: neverLog, now: () => clock[node], onGained: () => events.push(`${node} gained`), onLost: () => events.push(`${node} lost`) });
  return { bucket, clock, events, a: lease("a"), b: lease("b") };
}

describe("KvLease", () => {
  it("gives the singleton to exactly one of two nodes", async () => {
    const { a, b, events } = await twoNodes();
    await Promise.all([a.round(), b.round()]);
    expect([a.held, b.held].filter(Boolean)).toHaveLength(1);
    expect(events).toHaveLength(1);
  });

  it("is taken over only after the holder left it unrenewed for a whole TTL by the taker's clock", async () => {
    const { a, b, clock, events } = await twoNodes();
    await a.round();
    await b.round(); // b sees a's revision at its time 0
    clock.b = 2999;
    await b.round();
    expect(b.held).toBe(false);
    clock.b = 3000;
    await b.round();
    expect(b.held).toBe(true);
    // a's renewal now meets b's revision: a steps down.
    await a.round();
    expect(a.held).toBe(false);
    expect(events).toEqual(["a gained", "b gained", "a lost"]);
  });

  it("is kept while renewed, and the holder steps down on its own when it cannot renew in 0.7 TTL", async () => {
    const { a, b, clock } = await twoNodes();
    await a.round();
    for (let t = 1000; t <= 6000; t += 1000) {
      clock.a = t;
      clock.b = t;
      await a.round();
      await b.round();
      expect([a.held, b.held]).toEqual([true, false]);
    }
    clock.a = 6000 + 2101; // no renewal since 6000
    (a as unknown as { busy: boolean }).busy = true; // a write that hangs
    await a.round();
    expect(a.held).toBe(false);
  });

  it("is released at a clean stop, so another node takes it at once", async () => {
    const { a, b } = await twoNodes();
    await a.round();
    await b.round();
    await a.stop();
    await b.round();
    expect(b.held).toBe(true);
  });
});

describe("claimTick", () => {
  it("lets exactly one node fire a schedule's tick", async () => {
    const bucket = await new InProcessTransport().keyValue("ticks");
    const at = Date.parse("2025-01-01T00:00:05.120Z");
    expect(await Promise.all([claimTick(bucket, "beat", "a", at), claimTick(bucket, "beat", "b", at + 400)])).toEqual([true, false]);
    expect(await claimTick(bucket, "beat", "b", at + 1000)).toBe(true);
    expect(await claimTick(bucket, "other", "b", at)).toBe(true);
  });
});
