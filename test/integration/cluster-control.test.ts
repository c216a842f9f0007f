// Two `fuse up` nodes on this one machine (NATS routes on 127.0.0.1, no network namespaces),
// one `greeter` instance on each: `fuse actors restart greeter --node b` restarts b's instance
// alone, a restart without --node restarts both (one line per node), an unknown node is a clear
// NOT_FOUND naming the live ones; hub.list through node a's gateway (what the dashboard reads)
// lists both nodes' instances with their node.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActorStatus } from "../../runtime/protocol/index.ts";
import { createHubDir, removeHubDir, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

/** A port free on 127.0.0.1 now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const NODES = ["a", "b"] as const;
type NodeName = (typeof NODES)[number];
const secret = randomBytes(24).toString("hex");

function nodeConfig(node: NodeName, ports: Record<NodeName, number>): string {
  const other = node === "a" ? "b" : "a";
  return [
    `gateway: { enabled: ${node === "a"} }`,
    "cluster:",
    "  name: ctl",
    `  node: ${node}`,
    `  listen: 127.0.0.1:${ports[node]}`,
    `  seeds: [127.0.0.1:${ports[other]}]`,
    "  secret: ${file:cluster.secret}",
    "actors:",
    "  greeter: { placement: { perNode: 1 } }",
  ].join("\n");
}

const hubs = new Map<NodeName, RunningHub>();
const dirs: string[] = [];
const hub = (node: NodeName) => hubs.get(node)!;

/** Every live node's greeter rows as node a's hub lists them: node → pids. */
async function greeterPids(): Promise<Record<string, number[]>> {
  const { actors } = await hub("a").call<{ actors: ActorStatus[] }>("hub.list");
  return Object.fromEntries(actors.filter((a) => a.name === "greeter").map((a) => [a.node ?? "?", a.pids]));
}

/** Waits until each node runs one greeter instance, and returns their pids. */
function bothRunning(): Promise<Record<string, number[]>> {
  return waitFor("one greeter running on each node", async () => {
    const pids = await greeterPids();
    return NODES.every((n) => pids[n]?.length === 1) ? pids : undefined;
  }, 60_000);
}

describe("two cluster nodes on one machine: node-scoped control and the cluster-wide list", () => {
  beforeAll(async () => {
    const ports = { a: await freePort(), b: await freePort() };
    for (const node of NODES) {
      const dir = createHubDir({ config: nodeConfig(node, ports), actors: { greeter: "whoami" } });
      writeFileSync(path.join(dir, "cluster.secret"), `${secret}\n`, { mode: 0o600 });
      dirs.push(dir);
    }
    // Each node waits for the other's JetStream before it is ready: started together.
    const started = await Promise.all(dirs.map((dir) => startHub(dir, ["--quiet"])));
    started.forEach((h, i) => hubs.set(NODES[i]!, h));
    await bothRunning();
  }, 150_000);

  afterAll(async () => {
    await Promise.all([...hubs.values()].map((h) => h.stop().catch(() => undefined)));
    for (const dir of dirs) removeHubDir(dir);
  }, 60_000);

  it("lists every node's instances with their node in hub.list, on either node", async () => {
    for (const node of NODES) {
      const { actors } = await hub(node).call<{ actors: ActorStatus[] }>("hub.list");
      const greeters = actors.filter((a) => a.name === "greeter");
      expect(greeters.map((g) => g.node).sort()).toEqual(["a", "b"]);
      // Built-ins run on each node too, each row naming its node.
      expect(actors.filter((a) => a.name === "taskmaster").map((a) => a.node).sort()).toEqual(["a", "b"]);
    }
    // `local: true` is this node's alone.
    const local = await hub("b").call<{ actors: ActorStatus[] }>("hub.list", { local: true });
    expect(local.actors.filter((a) => a.name === "greeter").map((g) => g.node ?? "none")).toEqual(["none"]);
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
