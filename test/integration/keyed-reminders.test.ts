import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsTransport, connectNats } from "../../runtime/bus/index.ts";
import { Caller } from "../../runtime/sdk/caller.ts";
import { createHubDir, hubBus, removeHubDir, startHub, waitFor, waitForPartitionShares, type RunningHub } from "../helpers/index.ts";

type Firing = { name: string; dueAt: number; pid: number; instance: number };
type Timer = { firings: Firing[] };

const EVERY_MS = 400;
const KEYS = Array.from({ length: 16 }, (_, i) => `device-${i}`);

// Durable reminders of a keyed actor on a real hub (nats-server, sqld, two instances): each
// firing is recorded in the key's state in the same revision-checked write that moves the
// reminder to its next due time, so the stored firings are exactly the firings that happened.
describe("keyed reminders on a real hub", () => {
  let dir: string;
  let hub: RunningHub;
  let transport: NatsTransport;
  let caller: Caller;
  const call = <T>(endpoint: string, input: unknown, key: string) =>
    caller.call({ traceId: "keyed-reminders", deadline: undefined }, `timer.${endpoint}`, input, { key, timeout: 20_000 }) as Promise<T>;
  const firingsOf = async () => new Map(await Promise.all(KEYS.map(async (k) => [k, (await call<Timer>("get", {}, k)).firings] as const)));
  /** Waits until every key has `count` beats due after `after`; returns every key's firings. */
  const beatsAfter = (what: string, after: number, count: number) =>
    waitFor(what, async () => {
      const all = await firingsOf();
      return [...all.values()].every((f) => f.filter((x) => x.name === "beat" && x.dueAt > after).length >= count) ? all : undefined;
    }, 90_000);

  beforeAll(async () => {
    dir = createHubDir({ config: "actors:\n  timer:\n    instances: 2\n", actors: { timer: "keyed-timer" } });
    hub = await startHub(dir);
    transport = new NatsTransport(await connectNats(hubBus(hub.state)));
    caller = new Caller(transport, hub.state.prefix, "test");
  }, 120_000);
  afterAll(async () => {
    await transport?.close().catch(() => undefined);
    await hub?.stop();
    removeHubDir(dir);
  });

  it("fires each key's reminders on the instance owning the key, moves them when that instance is killed with SIGKILL, keeps them across a stop and start of every instance, and fires each due time once", async () => {
    for (const key of KEYS) {
      await call("remind", { name: "beat", everyMs: EVERY_MS }, key);
      await call("remind", { name: "once", inMs: 1_000 }, key);
    }
    // Both instances own keys: partitions are shared.
    await waitForPartitionShares(hub, "timer", 2);
    await beatsAfter("two beats of every key", 0, 2);
    const pids = (await hub.actor("timer")).pids;
    // The victim's keys are those whose last beat fired there, so each instance's share must
    // have fired too, not just been taken.
    const ownerOf = (all: Map<string, Firing[]>) => new Map(KEYS.map((k) => [k, all.get(k)!.at(-1)!.pid]));
    const before = await waitFor("each instance to own keys (the last beat of some key fired there)", async () => {
      const all = await firingsOf();
      const owners = new Set(ownerOf(all).values());
      return pids.every((p) => owners.has(p)) ? all : undefined;
    }, 90_000);
    expect(new Set(ownerOf(before).values()), `owners ${JSON.stringify([...ownerOf(before)])}, instances ${pids}`).toEqual(new Set(pids));

    const victim = pids[0]!;
    const victimKeys = KEYS.filter((k) => before.get(k)!.at(-1)!.pid === victim);
    process.kill(victim, "SIGKILL");
    const killedAt = Date.now();
    const afterKill = await beatsAfter("two beats of every key after the kill", killedAt, 2);
    // The killed process's keys went on firing elsewhere.
    const takeoverMs: number[] = [];
    for (const key of victimKeys) {
      const later = afterKill.get(key)!.filter((f) => f.name === "beat" && f.dueAt > killedAt);
      takeoverMs.push(later[0]!.dueAt - killedAt);
      expect(later.some((f) => f.pid !== victim), key).toBe(true);
      expect(later.every((f) => f.pid !== victim), key).toBe(true);
    }

    // A one-shot due around the stop: it fires once, before the stop or after the start.
    for (const key of KEYS) await call("remind", { name: "once", inMs: 200 }, key);
    await hub.call("hub.stop", { name: "timer" }, { timeoutMs: 60_000 });
    const stoppedAt = Date.now();
    await hub.call("hub.start", { name: "timer" }, { timeoutMs: 60_000 });
    const final = await beatsAfter("two beats of every key after the stop and start", stoppedAt, 2);
    const newPids = (await hub.actor("timer")).pids;

    let beats = 0;
    let onces = 0;
    let skippedDueTimes = 0;
    for (const key of KEYS) {
      const firings = final.get(key)!;
      const dueTimes = firings.filter((f) => f.name === "beat").map((f) => f.dueAt);
      beats += dueTimes.length;
      // Once per due time: no due time twice, in order, each a whole number of periods after the one before.
      expect(new Set(dueTimes).size, key).toBe(dueTimes.length);
      for (let i = 1; i < dueTimes.length; i++) {
        const gap = dueTimes[i]! - dueTimes[i - 1]!;
        expect(gap, key).toBeGreaterThan(0);
        expect(gap % EVERY_MS, key).toBe(0);
        skippedDueTimes += gap / EVERY_MS - 1;
      }
      const once = firings.filter((f) => f.name === "once");
      onces += once.length;
      expect(once.length, key).toBe(2);
      expect(new Set(once.map((f) => f.dueAt)).size, key).toBe(2);
      // After the start, only the new processes fire.
      for (const f of firings.filter((x) => x.name === "beat" && x.dueAt > stoppedAt)) expect(newPids, key).toContain(f.pid);
    }
    console.info(`keyed reminders: ${KEYS.length} keys, ${beats} beats and ${onces} one-shots stored, ${skippedDueTimes} due times passed while no instance owned the key, ${victimKeys.length} keys moved off the killed instance, their first due time fired after the kill came ${Math.max(0, ...takeoverMs)} ms after it at most`);
  }, 240_000);
});
