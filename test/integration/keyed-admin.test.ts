import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsTransport, connectNats } from "../../runtime/bus/index.ts";
import { Caller } from "../../runtime/sdk/caller.ts";
import { toFuseError } from "../../runtime/errors/index.ts";
import { partitionOf, type ActorKeys, type ActorStatus, type KeyView } from "../../runtime/protocol/index.ts";
import { createHubDir, hubBus, removeHubDir, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

const KEYS = Array.from({ length: 12 }, (_, i) => `cart-${i}`);

// What an operator sees of a keyed actor on a real hub (two instances of `counter`, and a plain
// actor `whoami` beside it): its keys in memory per instance in hub.list and `fuse actors ls`,
// hub.keys / hub.key and `fuse actors keys`, and the keyed HTTP route refused for a plain actor.
describe("keyed actors seen by an operator", () => {
  let dir: string;
  let hub: RunningHub;
  let transport: NatsTransport;
  let caller: Caller;

  /**
   * Reads `what` after a turn of every key, until it shows all of them in memory: on a loaded
   * machine a late lease renewal can move a partition, and its keys stay out of memory until
   * their next request. Fails if they never all show.
   */
  const withAllActive = <T>(what: string, read: () => Promise<T | undefined>) =>
    waitFor(what, async () => {
      for (const key of KEYS) await caller.call({ traceId: "keyed-admin", deadline: undefined }, "counter.get", {}, { key, timeout: 60_000 });
      return read();
    }, 60_000);

  beforeAll(async () => {
    dir = createHubDir({ config: "actors:\n  counter:\n    instances: 2\n  whoami: {}\n", actors: { counter: "keyed-counter", whoami: "whoami" } });
    hub = await startHub(dir);
    transport = new NatsTransport(await connectNats(hubBus(hub.state)));
    caller = new Caller(transport, hub.state.prefix, "test");
    // Until the instances share the partitions evenly, rebalancing drops the keys of the partitions moved.
    await waitFor("the partitions shared 32 and 32", async () => {
      const { instances } = await hub.call<ActorKeys>("hub.keys", { name: "counter" }).catch(() => ({ instances: [] as ActorKeys["instances"] }));
      return instances.length === 2 && instances.every((i) => i.partitions.length === 32);
    }, 60_000);
    for (const [i, key] of KEYS.entries()) {
      await caller.call({ traceId: "keyed-admin", deadline: undefined }, "counter.increment", { by: i + 1 }, { key, timeout: 60_000 });
    }
  }, 120_000);
  afterAll(async () => {
    await transport?.close().catch(() => undefined);
    await hub?.stop();
    removeHubDir(dir);
  });

  it("counts a keyed actor's keys in memory per instance in hub.list, and none for a plain actor", async () => {
    const counter = await withAllActive("hub.list to count every key", async () => {
      const status = await hub.actor("counter");
      return status.keys === KEYS.length ? status : undefined;
    });
    expect(counter.keys).toBe(KEYS.length);
    expect(counter.instances.map((i) => i.keys ?? 0).reduce((a, b) => a + b, 0)).toBe(KEYS.length);
    const whoami = await hub.actor("whoami");
    expect(whoami.keys).toBeUndefined();
    expect(whoami.instances[0]!.keys).toBeUndefined();
  });

  it("lists every active key once with the instance whose partition it is in (hub.keys), and shows one key's state and version (hub.key)", async () => {
    const keys = await withAllActive("hub.keys to list every key", async () => {
      const listed = await hub.call<ActorKeys>("hub.keys", { name: "counter" });
      return listed.active === KEYS.length ? listed : undefined;
    });
    expect(keys.active).toBe(KEYS.length);
    expect(keys.instances.map((i) => i.instance)).toEqual([0, 1]);
    const listed = keys.instances.flatMap((i) => i.keys.map((k) => ({ ...k, owner: i })));
    expect(listed.map((k) => k.key).sort()).toEqual([...KEYS].sort());
    for (const k of listed) {
      expect(k.partition).toBe(partitionOf(k.key));
      expect(k.owner.partitions).toContain(k.partition);
      expect(k.version).toBe(1);
    }
    // Partitions are shared: no partition owned twice.
    const owned = keys.instances.flatMap((i) => i.partitions);
    expect(new Set(owned).size).toBe(owned.length);

    const view = await withAllActive("hub.key to see cart-4 in memory", async () => {
      const seen = await hub.call<KeyView>("hub.key", { name: "counter", key: "cart-4" });
      return seen.active ? seen : undefined;
    });
    expect(view).toMatchObject({ key: "cart-4", partition: partitionOf("cart-4"), active: true, version: 1, state: { count: 5, fired: [] }, reminders: {} });
    // The owner named is one of the two instances (the partition may have moved since the listing).
    expect(keys.instances.map((i) => ({ instance: i.instance, serviceId: i.serviceId }))).toContainEqual(view.owner);
  });

  it("answers NOT_FOUND for a key with no state and for an actor that is not keyed, ACTOR_NOT_FOUND for an unknown actor", async () => {
    const codeOf = (p: Promise<unknown>) => p.then(() => "OK", (e: unknown) => toFuseError(e).code);
    expect(await codeOf(hub.call("hub.key", { name: "counter", key: "never-seen" }))).toBe("NOT_FOUND");
    expect(await codeOf(hub.call("hub.keys", { name: "whoami" }))).toBe("NOT_FOUND");
    expect(await codeOf(hub.call("hub.keys", { name: "nobody" }))).toBe("ACTOR_NOT_FOUND");
  });

  it("prints the keys per instance in `fuse actors ls`, and the keys and one key in `fuse actors keys`, as tables and as --json", async () => {
    const keysColumn = (stdout: string) => {
      const lines = stdout.split("\n");
      const column = lines[0]!.trim().split(/\s+/).indexOf("KEYS");
      const row = lines.find((l) => l.startsWith("counter "))!;
      return row.trim().split(/\s+/)[column]!.split("+").map(Number).reduce((a, b) => a + b, 0);
    };
    const ls = await withAllActive("fuse actors ls to count every key", async () => {
      const result = await runCli(dir, ["actors", "ls"]);
      expect(result.code, result.stderr).toBe(0);
      return keysColumn(result.stdout) === KEYS.length ? result : undefined;
    });
    expect(ls.stdout).toMatch(/KEYS/);
    const lsJson = await withAllActive("fuse actors ls --json to count every key", async () => {
      const list = JSON.parse((await runCli(dir, ["actors", "ls", "--json"])).stdout) as ActorStatus[];
      return list.find((a) => a.name === "counter")!.keys === KEYS.length ? list : undefined;
    });
    expect(lsJson.find((a) => a.name === "whoami")!.keys).toBeUndefined();

    const list = await withAllActive("fuse actors keys to list every key", async () => {
      const result = await runCli(dir, ["actors", "keys", "counter"]);
      expect(result.code, result.stderr).toBe(0);
      return result.stdout.includes(`${KEYS.length} keys in memory`) ? result : undefined;
    });
    for (const key of KEYS) expect(list.stdout).toContain(key);
    const listJson = await withAllActive("fuse actors keys --json to list every key", async () => {
      const keys = JSON.parse((await runCli(dir, ["actors", "keys", "counter", "--json"])).stdout) as ActorKeys;
      return keys.active === KEYS.length ? keys : undefined;
    });
    expect(listJson.instances.flatMap((i) => i.keys.map((k) => k.key)).sort()).toEqual([...KEYS].sort());

    const one = JSON.parse((await runCli(dir, ["actors", "keys", "counter", "cart-2", "--json"])).stdout) as KeyView;
    expect(one).toMatchObject({ key: "cart-2", version: 1, state: { count: 3 } });
    const text = await runCli(dir, ["actors", "keys", "counter", "cart-2"]);
    expect(text.stdout).toMatch(/version 1/);
    const missing = await runCli(dir, ["actors", "keys", "counter", "never-seen"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no state for key "never-seen"/);
  }, 180_000);

  it("answers the keyed HTTP route of a plain actor with 404 ENDPOINT_NOT_FOUND at once, and still serves the keyed actor's", async () => {
    const post = (path: string) => fetch(`${hub.state.gatewayUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    const plain = await post("/api/whoami/some-key/me");
    expect(plain.status).toBe(404);
    const body = (await plain.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("ENDPOINT_NOT_FOUND");
    expect(body.error.message).toMatch(/actor "whoami" is not keyed/);
    const keyed = await post("/api/counter/cart-3/get");
    expect(keyed.status).toBe(200);
    expect(await keyed.json()).toMatchObject({ count: 4, version: 1 });
  });
});
