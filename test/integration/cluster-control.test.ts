// Two `fuse up` nodes on this one machine (NATS routes on 127.0.0.1, no network namespaces),
// one `greeter` instance on each: `fuse actors restart greeter --node b` restarts b's instance
// alone, a restart without --node restarts both (one line per node), an unknown node is a clear
// NOT_FOUND naming the live ones; hub.list through node a's gateway (what the dashboard reads)
// lists both nodes' instances with their node, and /api, /openapi.json and /docs say how many
// run on each node. A single-machine hub refuses --node and restarts as before.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActorStatus } from "../../runtime/protocol/index.ts";
import { createHubDir, removeHubDir, runCli, startHub, waitFor } from "../helpers/index.ts";
import { TWO_NODES as NODES, startTwoNodes, type TwoNodeName, type TwoNodes } from "../helpers/cluster-nodes.ts";

let cluster: TwoNodes;
const hub = (node: TwoNodeName) => cluster.hub(node);
const greeterPids = () => cluster.pidsOf("greeter");
const bothRunning = () => cluster.oneOnEach("greeter");

describe("two cluster nodes on one machine: node-scoped control and the cluster-wide list", () => {
  beforeAll(async () => {
    cluster = await startTwoNodes({ greeter: "whoami" });
    await bothRunning();
  }, 150_000);

  afterAll(() => cluster?.stop(), 60_000);

  it("lists every node's instances with their node in hub.list, on either node", async () => {
    for (const node of NODES) {
      const { actors } = await hub(node).call<{ actors: ActorStatus[] }>("hub.list");
      const greeters = actors.filter((a) => a.name === "greeter");
      expect(greeters.map((g) => g.node).sort()).toEqual(["a", "b"]);
      // Every row names its node, built-ins too (the gateway runs on a alone).
      expect(new Set(actors.map((a) => a.node))).toEqual(new Set(["a", "b"]));
      expect(actors.filter((a) => a.name === "gateway").map((a) => a.node)).toEqual(["a"]);
    }
    // `local: true` is this node's alone.
    const local = await hub("b").call<{ actors: ActorStatus[] }>("hub.list", { local: true });
    expect(local.actors.filter((a) => a.name === "greeter").map((g) => g.node ?? "none")).toEqual(["none"]);
  });

  it("counts each node's requests in its own rows, not the cluster's total in every row", async () => {
    await bothRunning();
    const requests = async () => {
      const { actors } = await hub("a").call<{ actors: ActorStatus[] }>("hub.list");
      return Object.fromEntries(actors.filter((a) => a.name === "greeter").map((a) => [a.node, a.requests]));
    };
    const before = await requests();
    for (let i = 0; i < 20; i++) await hub(i % 2 ? "a" : "b").call("greeter.ping");
    const after = await waitFor("the 20 pings counted", async () => {
      const now = await requests();
      return now.a! - before.a! + (now.b! - before.b!) >= 20 ? now : undefined;
    }, 10_000);
    expect(after.a! - before.a! + (after.b! - before.b!)).toBe(20);
  });

  it("restarts only node b's instance with --node b, asked from node a's folder", async () => {
    const before = await bothRunning();
    const result = await runCli(hub("a").dir, ["actors", "restart", "greeter", "--node", "b", "--json"], 120_000);
    expect(result.code, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout) as ActorStatus;
    expect(status.node).toBe("b");
    expect(status.pids).toHaveLength(1);
    expect(status.pids[0]).not.toBe(before.b![0]);
    const after = await bothRunning();
    expect(after.b).toEqual(status.pids);
    expect(after.a).toEqual(before.a);
  });

  it("restarts the actor on every node that runs it without --node, one line per node", async () => {
    const before = await bothRunning();
    const result = await runCli(hub("b").dir, ["actors", "restart", "greeter"], 120_000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/greeter restarted on a: 1\/1/);
    expect(result.stdout).toMatch(/greeter restarted on b: 1\/1/);
    const after = await bothRunning();
    expect(after.a![0]).not.toBe(before.a![0]);
    expect(after.b![0]).not.toBe(before.b![0]);
  });

  it("stops node b's instance alone with --node b, and starts it again without --node", async () => {
    const before = await bothRunning();
    const stopped = await runCli(hub("a").dir, ["actors", "stop", "greeter", "--node", "b"], 60_000);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(/greeter stopped on b: 0\/0/);
    // The placement does not bring it back behind the operator's back.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await greeterPids()).toEqual({ a: before.a, b: [] });
    const started = await runCli(hub("b").dir, ["actors", "start", "greeter"], 60_000);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/greeter started on b: 1\/1/);
    const after = await bothRunning();
    expect(after.a).toEqual(before.a);
  });

  it("refuses an unknown node with NOT_FOUND naming the live nodes", async () => {
    const before = await bothRunning();
    const result = await runCli(hub("a").dir, ["actors", "restart", "greeter", "--node", "zz"], 60_000);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/NOT_FOUND/);
    expect(result.stderr).toMatch(/node "zz" is not a live node of this cluster \(live nodes: a, b\)/);
    expect(await greeterPids()).toEqual(before);
  });

  it("shows both nodes' instances through node a's gateway: /api/hub/list, what the dashboard reads", async () => {
    const url = hub("a").state.gatewayUrl!;
    const response = await fetch(`${url}/api/hub/list`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(200);
    const { actors } = (await response.json()) as { actors: ActorStatus[] };
    const greeters = actors.filter((a) => a.name === "greeter");
    expect(greeters.map((g) => g.node).sort()).toEqual(["a", "b"]);
    expect(new Set(greeters.flatMap((g) => g.pids)).size).toBe(2);
    // The dashboard's script puts a node column first when the rows name nodes.
    const script = await (await fetch(`${url}/dashboard/app.js`)).text();
    expect(script).toContain('"node-head"');
    expect(script).toContain('["node", a.node]');
  });

  it("says where each actor's instances run in /api, /openapi.json and /docs (from $SRV.INFO)", async () => {
    const url = hub("a").state.gatewayUrl!;
    type Index = { actors: { name: string; instances: number; nodes?: Record<string, number> }[] };
    const greeter = await waitFor("/api to list greeter on both nodes", async () => {
      const index = (await (await fetch(`${url}/api`)).json()) as Index;
      const entry = index.actors.find((a) => a.name === "greeter");
      return entry?.nodes?.a === 1 && entry.nodes.b === 1 ? entry : undefined;
    }, 30_000);
    expect(greeter).toMatchObject({ instances: 2, nodes: { a: 1, b: 1 } });
    // The gateway runs on node a alone.
    const index = (await (await fetch(`${url}/api`)).json()) as Index;
    expect(index.actors.find((a) => a.name === "gateway")?.nodes).toEqual({ a: 1 });
    const openapi = (await (await fetch(`${url}/openapi.json`)).json()) as { tags: { name: string; "x-fuse-nodes"?: Record<string, number> }[] };
    expect(openapi.tags.find((t) => t.name === "greeter")?.["x-fuse-nodes"]).toEqual({ a: 1, b: 1 });
    expect(await (await fetch(`${url}/docs`)).text()).toContain("2 live on a ×1, b ×1");
  });
});

describe("a single-machine hub: --node means nothing there", () => {
  it("refuses --node with NOT_FOUND saying it is not a cluster, and restarts without it as before", async () => {
    const dir = createHubDir({ config: "gateway: { enabled: false }\nactors:\n  greeter: { instances: 1 }\n", actors: { greeter: "whoami" } });
    const single = await startHub(dir, ["--quiet"]);
    try {
      const before = (await single.actor("greeter")).pids;
      const refused = await runCli(dir, ["actors", "restart", "greeter", "--node", "a"]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/node "a": this hub is not part of a cluster .*\[NOT_FOUND\]/);
      expect((await single.actor("greeter")).pids).toEqual(before);
      const restarted = await runCli(dir, ["actors", "restart", "greeter"], 120_000);
      expect(restarted.code, restarted.stderr).toBe(0);
      expect(restarted.stdout).toMatch(/✓ greeter restarted: 1\/1/);
      expect(restarted.stdout).not.toMatch(/ on /);
      const after = (await single.actor("greeter")).pids;
      expect(after).toHaveLength(1);
      expect(after[0]).not.toBe(before[0]);
      expect((await single.call<{ actors: ActorStatus[] }>("hub.list")).actors.every((a) => a.node === undefined)).toBe(true);
    } finally {
      await single.stop();
      removeHubDir(dir);
    }
  }, 90_000);
});
