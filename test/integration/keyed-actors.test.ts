import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsTransport, connectNats } from "../../runtime/bus/index.ts";
import { Caller } from "../../runtime/sdk/caller.ts";
import { toFuseError } from "../../runtime/errors/index.ts";
import { Header } from "../../runtime/protocol/index.ts";
import { createHubDir, hubBus, removeHubDir, startHub, waitFor, waitForPartitionShares, type RunningHub } from "../helpers/index.ts";

type Increment = { count: number; version: number; instance: number; pid: number; overlap: number };
type Counter = { count: number; version: number; fired: number[] };

// A keyed counter on a real hub: nats-server, sqld and three processes of the `counter` actor,
// each call going over the bus to the owner of its key's partition.
describe("keyed actors on a real hub", () => {
  let dir: string;
  let hub: RunningHub;
  let transport: NatsTransport;
  let caller: Caller;
  const call = <T>(target: string, input: unknown, key: string) =>
    caller.call({ traceId: "keyed-test", deadline: undefined }, target, input, { key, timeout: 20_000 }) as Promise<T>;

  beforeAll(async () => {
    dir = createHubDir({ config: "actors:\n  counter:\n    instances: 3\n", actors: { counter: "keyed-counter" } });
    hub = await startHub(dir);
    transport = new NatsTransport(await connectNats(hubBus(hub.state)));
    caller = new Caller(transport, hub.state.prefix, "test");
  }, 120_000);
  afterAll(async () => {
    await transport?.close().catch(() => undefined);
    await hub?.stop();
    removeHubDir(dir);
  });

  it("runs 64 concurrent increments of one key one at a time: the count is exactly 64", async () => {
    const replies = await Promise.all(Array.from({ length: 64 }, () => call<Increment>("counter.increment", { pauseMs: 2 }, "ada")));
    expect(replies.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    expect(Math.max(...replies.map((r) => r.overlap))).toBe(1);
    expect(new Set(replies.map((r) => r.instance)).size).toBe(1);
    expect(await call<Counter>("counter.get", {}, "ada")).toMatchObject({ count: 64, version: 64 });
  }, 60_000);

  it("serves POST /api/<actor>/<key>/<endpoint> over HTTP for that key, and the plain bus subject with a Fuse-Key header reaches the same state", async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${hub.state.gatewayUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const key = "cart/7 é";
    const first = await post(`/api/counter/${encodeURIComponent(key)}/increment`, { by: 5 });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ count: 5, version: 1 });
    expect(await call<Counter>("counter.get", {}, key)).toMatchObject({ count: 5, version: 1 });
    const other = await post(`/api/counter/${encodeURIComponent("someone-else")}/get`, {});
    expect(await other.json()).toMatchObject({ count: 0, version: 0 });
    // A client that does not hash keys: the plain subject, the key in a header; any instance forwards it.
    const reply = await transport.request(`${hub.state.prefix}.counter.get`, "{}", { headers: { [Header.key]: key }, timeoutMs: 10_000 });
    expect(JSON.parse(Buffer.from(reply.data).toString("utf8"))).toMatchObject({ count: 5, version: 1 });
    const missing = await post("/api/counter/get", {});
    expect(missing.status).toBe(400);
  }, 60_000);

  it("keeps every acknowledged increment of 1,000 keys on 3 instances when one is killed with SIGKILL mid-stream, and never runs a key on two instances at once", async () => {
    const keys = Array.from({ length: 1_000 }, (_, i) => `key-${i}`);
    const rounds = 5;
    const acked = new Map<string, Increment[]>();
    const failed = new Map<string, number>();
    const failures: string[] = [];
    let sent = 0;
    let done = 0;
    // 64 in flight; each key's increments go one after another, so its acknowledged counts must rise.
    // Round by round over every key: when the kill comes (a fifth done), every key has increments
    // acknowledged before it and still to come after it, so each of the victim's keys must move.
    // (Key by key, only the dozen keys in flight at that moment could, and now and then none of
    // them was the victim's.)
    const queue = Array.from({ length: rounds }, () => keys).flat();
    const byKey = new Map(keys.map((k) => [k, Promise.resolve()]));
    let next = 0;
    const worker = async () => {
      while (next < queue.length) {
        const key = queue[next++]!;
        const previous = byKey.get(key)!;
        const mine = previous.then(async () => {
          sent++;
          try {
            const reply = await call<Increment>("counter.increment", {}, key);
            acked.set(key, [...(acked.get(key) ?? []), reply]);
          } catch (error) {
            failed.set(key, (failed.get(key) ?? 0) + 1);
            failures.push(toFuseError(error).code);
          } finally {
            done++;
          }
        });
        byKey.set(key, mine);
        await mine;
      }
    };
    // The victim must own keys when it is killed, or none of them can move.
    const shares = await waitForPartitionShares(hub, "counter", 3);
    const victim = shares.instances.find((i) => i.instance === 1)!.pid;
    const running = Promise.all(Array.from({ length: 64 }, worker));
    await waitFor("a fifth of the increments done", () => done >= queue.length / 5, 60_000);
    process.kill(victim, "SIGKILL");
    await running;

    const finals = new Map<string, Counter>();
    for (const key of keys) finals.set(key, await call<Counter>("counter.get", {}, key));
    let ackedCount = 0;
    let lost = 0;
    const servedBy = new Set<number>();
    let movedKeys = 0;
    for (const key of keys) {
      const replies = acked.get(key) ?? [];
      ackedCount += replies.length;
      const counts = replies.map((r) => r.count);
      // Strictly increasing, and each reply's version is its count: one writer at a time.
      for (let i = 1; i < counts.length; i++) expect(counts[i]!, key).toBeGreaterThan(counts[i - 1]!);
      for (const r of replies) expect(r.version, key).toBe(r.count);
      const final = finals.get(key)!;
      expect(final.version, key).toBe(final.count);
      // Every acknowledged increment is in the final count; only failed ones may or may not be.
      lost += Math.max(0, replies.length - final.count);
      expect(final.count, key).toBeGreaterThanOrEqual(replies.length);
      expect(final.count, key).toBeLessThanOrEqual(replies.length + (failed.get(key) ?? 0));
      expect(Math.max(0, ...counts), key).toBeLessThanOrEqual(final.count);
      const processes = new Set(replies.map((r) => r.pid));
      for (const pid of processes) servedBy.add(pid);
      if (processes.size > 1) movedKeys++;
    }
    const failedCount = [...failed.values()].reduce((a, b) => a + b, 0);
    console.info(`keyed kill: sent ${sent}, acked ${ackedCount}, failed ${failedCount} (${[...new Set(failures)].join(", ") || "none"}), lost ${lost}, keys that moved ${movedKeys}`);
    expect(sent).toBe(queue.length);
    expect(ackedCount + failedCount).toBe(sent);
    expect(lost).toBe(0);
    // The three first processes and the killed one's revival (or its keys' new owners) served keys.
    expect(servedBy.size).toBeGreaterThanOrEqual(3);
    expect(servedBy.has(victim)).toBe(true);
    // The killed instance's keys went on in another process.
    expect(movedKeys).toBeGreaterThan(0);
  }, 180_000);
});
