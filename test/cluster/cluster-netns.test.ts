// Three `fuse up` nodes on this machine, each in its own network namespace on a bridge, form
// one cluster (NATS routes with a shared secret, JetStream R3): every node lists the three; a
// call through node A's gateway reaches an actor only node C runs; a schedule fires once per
// tick cluster-wide, and when the node holding its lease is killed outright another takes
// it over without firing any tick twice. Needs root (ip netns); skips with the reason otherwise.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HubState } from "../../runtime/protocol/index.ts";
import { REPO, createHubDir, removeHubDir, waitFor } from "../helpers/index.ts";

const FUSE = path.join(REPO, "bin/fuse.mjs");
const run = (args: string[]) => spawnSync(args[0]!, args.slice(1), { encoding: "utf8" });

/** Why namespaces cannot be made here, or undefined when they can. */
function netnsProblem(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root to create network namespaces (ip netns add)";
  const probe = `fuse-probe-${process.pid}`;
  const added = run(["ip", "netns", "add", probe]);
  if (added.status !== 0) return `ip netns add failed: ${(added.stderr || added.error?.message || "").trim()}`;
  run(["ip", "netns", "del", probe]);
  return undefined;
}

const problem = netnsProblem();
const tag = randomBytes(2).toString("hex");
const subnet = `10.99.${1 + (process.pid % 250)}`;
const bridge = `fzbr${tag}`;
const NODES = ["n1", "n2", "n3"] as const;
type NodeName = (typeof NODES)[number];
const nsOf = (node: NodeName) => `fuse-${tag}-${node}`;
const ipOf = (node: NodeName) => `${subnet}.${NODES.indexOf(node) + 1}`;

function sh(args: string[]): void {
  const result = run(args);
  if (result.status !== 0) throw new Error(`${args.join(" ")}: ${result.stderr.trim()}`);
}

/** The bridge, and per node a namespace with a veth pair whose inner end has the node's address. */
function makeNetwork(): void {
  sh(["ip", "link", "add", bridge, "type", "bridge"]);
  sh(["ip", "link", "set", bridge, "up"]);
  for (const node of NODES) {
    const ns = nsOf(node);
    const outer = `fz${tag}${node}`;
    sh(["ip", "netns", "add", ns]);
    sh(["ip", "link", "add", outer, "type", "veth", "peer", "name", "eth0", "netns", ns]);
    sh(["ip", "link", "set", outer, "master", bridge, "up"]);
    sh(["ip", "-n", ns, "addr", "add", `${ipOf(node)}/24`, "dev", "eth0"]);
    sh(["ip", "-n", ns, "link", "set", "eth0", "up"]);
    sh(["ip", "-n", ns, "link", "set", "lo", "up"]);
  }
}

/** Every process in a node's namespace, killed by PID (the hub, its servers and actors). */
function killNamespace(node: NodeName): number[] {
  const pids = run(["ip", "netns", "pids", nsOf(node)]).stdout.split(/\s+/).filter(Boolean).map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
  return pids;
}

function removeNetwork(): void {
  for (const node of NODES) {
    killNamespace(node);
    run(["ip", "netns", "del", nsOf(node)]);
  }
  run(["ip", "link", "del", bridge]);
}

const tickLog = path.join(os.tmpdir(), `fuse-cluster-ticks-${tag}.log`);
const stepLog = path.join(os.tmpdir(), `fuse-cluster-steps-${tag}.log`);
/** The cluster's one database: n1's hub runs sqld on n1's address, every node uses it with its token. */
const dbPort = 20_000 + (process.pid % 10_000);

/** A task of three steps in a row, each a second long, on the `spread` actor: runs live across a node's loss. */
const RELAY_TASK = {
  name: "relay",
  steps: ["one", "two", "three"].map((id, i, ids) => ({
    id,
    call: "spread.step",
    input: `{ "run": $input.run, "step": "${id}", "ms": 1000 }`,
    retry: { attempts: 10, backoffMs: 300 },
    ...(i ? { needs: [ids[i - 1]] } : {}),
  })),
};
const secret = randomBytes(24).toString("hex");

function nodeConfig(node: NodeName): string {
  // n1 names the other two as seeds; n2 and n3 join through n1 with --join.
  const seeds = node === "n1" ? `[${ipOf("n2")}:6222, ${ipOf("n3")}:6222]` : "[]";
  const farEnv = node === "n3" ? `  far: { env: { NODE_NAME: ${node} } }\n` : "";
  return [
    "discover: true",
    `gateway: { enabled: ${node === "n1"} }`,
    "cluster:",
    "  name: itest",
    `  listen: ${ipOf(node)}:6222`,
    `  seeds: ${seeds}`,
    "  secret: ${file:cluster.secret}",
    "  replicas: 3",
    `db: { node: n1, address: "${ipOf("n1")}:${dbPort}" }`,
    "schedules:",
    "  beat: { cron: \"* * * * * *\", call: ticker.hit }",
    "actors:",
    // One ticker on every node; six `spread` instances over the cluster.
    `  ticker: { env: { NODE_NAME: ${node}, TICK_LOG: ${JSON.stringify(tickLog)} }, placement: { perNode: 1 } }`,
    `  spread: { instances: 6, env: { NODE_NAME: ${node}, STEP_LOG: ${JSON.stringify(stepLog)} } }`,
    farEnv,
  ].join("\n");
}

interface NodeProcess {
  dir: string;
  child: ChildProcess;
  output: string;
}

const nodes = new Map<NodeName, NodeProcess>();

function startNode(node: NodeName, again?: string): NodeProcess {
  const actors: Record<string, string> = { ticker: "cluster-ticker", spread: "cluster-ticker" };
  if (node === "n3") actors.far = "cluster-ticker";
  // A node coming back runs from its own folder again (its JetStream store, its keys).
  const dir = again ?? createHubDir({ config: nodeConfig(node), actors });
  if (!again) {
    writeFileSync(path.join(dir, "cluster.secret"), `${secret}\n`, { mode: 0o600 });
    mkdirSync(path.join(dir, "tasks"));
    writeFileSync(path.join(dir, "tasks/relay.json"), JSON.stringify(RELAY_TASK, null, 2));
  }
  const join = node === "n1" ? [] : ["--join", `${ipOf("n1")}:6222`];
  // `ip netns exec` execs the command, so the child's pid is fuse up's own.
  const child = spawn("ip", ["netns", "exec", nsOf(node), process.execPath, FUSE, "up", "--quiet", "--node", node, ...join], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
  const entry: NodeProcess = { dir, child, output: "" };
  child.stdout!.on("data", (d) => (entry.output += d));
  child.stderr!.on("data", (d) => (entry.output += d));
  nodes.set(node, entry);
  return entry;
}

/** The lines of a node's hub log with this message. */
function hubLogLines(node: NodeName, msg: string): { time: number; node?: string; shares?: Record<string, number> }[] {
  const file = path.join(nodes.get(node)!.dir, ".fuse/logs/hub.log");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.includes(`"msg":${JSON.stringify(msg)}`))
    .map((l) => JSON.parse(l) as { time: number; node?: string; shares?: Record<string, number> });
}

/** When (epoch ms) `survivor`'s hub logged that `lost` is lost. */
function lostLoggedAt(survivor: NodeName, lost: NodeName): number | undefined {
  return hubLogLines(survivor, "node lost").find((l) => l.node === lost)?.time;
}

/** Runs a script in a node's namespace (where its gateway listens) and parses what it prints. */
function runIn<T>(node: NodeName, script: string): T {
  const result = spawnSync("ip", ["netns", "exec", nsOf(node), process.execPath, "-e", script], { encoding: "utf8", timeout: 60_000 });
  if (result.status !== 0) throw new Error(`script in ${node}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** POSTs each body to `url` in turn from inside a node's namespace: the statuses and replies. */
function postEach(node: NodeName, url: string, bodies: unknown[]): { status: number; body: Record<string, unknown> }[] {
  return runIn(node, `(async () => { const out = []; for (const b of ${JSON.stringify(bodies)}) { const r = await fetch(${JSON.stringify(url)}, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(b) }); out.push({ status: r.status, body: await r.json() }); } console.log(JSON.stringify(out)); })()`);
}

function stateOf(node: NodeName): HubState | undefined {
  const file = path.join(nodes.get(node)!.dir, ".fuse/state.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as HubState) : undefined;
}

/** `fuse <args>` run inside a node's namespace, from its folder. */
function cliIn(node: NodeName, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync("ip", ["netns", "exec", nsOf(node), process.execPath, FUSE, ...args], { cwd: nodes.get(node)!.dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface NodeRow {
  name: string;
  status: string;
  leases: string[];
}

function nodesLs(node: NodeName): NodeRow[] {
  const result = cliIn(node, ["nodes", "ls", "--json"]);
  if (result.code !== 0) throw new Error(`fuse nodes ls on ${node}: ${result.stderr}`);
  return JSON.parse(result.stdout) as NodeRow[];
}

function ticks(): { second: number; node: string }[] {
  if (!existsSync(tickLog)) return [];
  return readFileSync(tickLog, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [second, node] = line.split(" ");
      return { second: Number(second), node: node! };
    });
}

/** Seconds that fired more than once. */
function doubled(list: { second: number }[]): number[] {
  const seen = new Map<number, number>();
  for (const t of list) seen.set(t.second, (seen.get(t.second) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([s]) => s);
}

describe.skipIf(problem !== undefined)(`a cluster of three nodes in network namespaces${problem ? ` (skipped: ${problem})` : ""}`, () => {
  beforeAll(async () => {
    makeNetwork();
    for (const node of NODES) startNode(node);
    const exited = (node: NodeName) => nodes.get(node)!.child.exitCode !== null;
    await waitFor(
      "three nodes ready",
      () => {
        for (const node of NODES) if (exited(node)) throw new Error(`${node} exited: ${nodes.get(node)!.output.slice(-2000)}`);
        return NODES.every((node) => stateOf(node)?.pid === nodes.get(node)!.child.pid) || undefined;
      },
      90_000,
    );
  }, 120_000);

  afterAll(() => {
    removeNetwork();
    if (existsSync(stepLog)) removeHubDir(stepLog);
    for (const { dir } of nodes.values()) removeHubDir(dir);
    if (existsSync(tickLog)) removeHubDir(tickLog);
  });

  it("lists three nodes, up, from every node", async () => {
    for (const node of NODES) {
      const rows = await waitFor(`three nodes up seen from ${node}`, () => {
        const list = nodesLs(node);
        return list.filter((n) => n.status === "up").length === 3 ? list : undefined;
      }, 20_000);
      expect(rows.map((r) => r.name)).toEqual(["n1", "n2", "n3"]);
    }
    // Exactly one node holds the schedules lease.
    expect(nodesLs("n2").filter((n) => n.leases.includes("schedules"))).toHaveLength(1);
  });

  it("lists every node's instances in fuse actors ls, with the node", () => {
    const result = cliIn("n1", ["actors", "ls", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as { node: string; name: string; running: number }[];
    expect(rows.filter((r) => r.name === "ticker").map((r) => r.node).sort()).toEqual(["n1", "n2", "n3"]);
    expect(rows.filter((r) => r.name === "far").map((r) => r.node)).toEqual(["n3"]);
  });

  it("routes a call through node A's gateway to an actor that runs only on node C", async () => {
    const gatewayUrl = await waitFor("n1's gateway", () => stateOf("n1")?.gatewayUrl, 20_000);
    // A node starts its instances once the placement's decision reaches it: far is listed on n3 before it runs.
    await waitFor("far running on n3", () => {
      const result = cliIn("n1", ["actors", "ls", "--json"]);
      return result.code === 0 && (JSON.parse(result.stdout) as { name: string; running: number }[]).some((r) => r.name === "far" && r.running > 0);
    }, 60_000);
    const script = `fetch(${JSON.stringify(`${gatewayUrl}/api/far/where`)}, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }).then(async (r) => console.log(r.status, await r.text()))`;
    const result = spawnSync("ip", ["netns", "exec", nsOf("n1"), process.execPath, "-e", script], { encoding: "utf8", timeout: 30_000 });
    const gatewayLog = () => readFileSync(path.join(nodes.get("n1")!.dir, ".fuse/logs/gateway.log"), "utf8").split("\n").filter((l) => l.includes("routes")).slice(-5).join("\n");
    expect(result.stdout.trim(), gatewayLog()).toBe('200 {"node":"n3"}');
  });

  it("spreads an actor's six instances 2-2-2, re-places a lost node's share on the survivors, and gives it back when the node returns", async () => {
    const spreadOf = (): Record<string, number> => {
      const result = cliIn("n1", ["actors", "ls", "--json"]);
      if (result.code !== 0) return {};
      const rows = JSON.parse(result.stdout) as { node: string; name: string; running: number }[];
      return Object.fromEntries(rows.filter((r) => r.name === "spread" && r.running > 0).map((r) => [r.node, r.running]));
    };
    const settled = (want: Record<string, number>) => JSON.stringify(spreadOf()) === JSON.stringify(want) || undefined;
    await waitFor("spread 2-2-2", () => settled({ n1: 2, n2: 2, n3: 2 }), 60_000);

    // A steady stream of calls through n1's gateway while n3 is killed outright.
    const gatewayUrl = await waitFor("n1's gateway", () => stateOf("n1")?.gatewayUrl, 20_000);
    const streamMs = 15_000;
    const script = `
      const url = ${JSON.stringify(`${gatewayUrl}/api/spread/where`)};
      const counts = { sent: 0, ok: 0, failed: 0, byNode: {}, failures: {} };
      const end = Date.now() + ${streamMs};
      (async () => {
        while (Date.now() < end) {
          counts.sent++;
          try {
            const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}", signal: AbortSignal.timeout(20000) });
            const body = await r.json();
            if (r.status === 200) { counts.ok++; counts.byNode[body.node] = (counts.byNode[body.node] ?? 0) + 1; }
            else { counts.failed++; const why = r.status + " " + (body.error?.code ?? "?"); counts.failures[why] = (counts.failures[why] ?? 0) + 1; }
          } catch (e) { counts.failed++; counts.failures[e.name] = (counts.failures[e.name] ?? 0) + 1; }
          await new Promise((r) => setTimeout(r, 20));
        }
        console.log(JSON.stringify(counts));
      })();`;
    // Written before the loss, read after it: values in the hub's key-value store (through
    // instances on every node, n3's among them) and a file.
    const keys = Array.from({ length: 24 }, (_, i) => `kept-${i}`);
    const remembered = postEach("n1", `${gatewayUrl}/api/spread/remember`, keys.map((key) => ({ key, value: `value of ${key}` })));
    expect(remembered.map((r) => r.status)).toEqual(keys.map(() => 200));
    expect(remembered.some((r) => r.body.node === "n3")).toBe(true);
    const fileBytes = randomBytes(256 * 1024);
    const filePath = path.join(os.tmpdir(), `fuse-cluster-file-${tag}`);
    writeFileSync(filePath, fileBytes);
    const put = cliIn("n1", ["files", "put", filePath, "kept.bin"]);
    expect(put.code, put.stderr).toBe(0);

    const stream = spawn("ip", ["netns", "exec", nsOf("n1"), process.execPath, "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    let streamOut = "";
    stream.stdout!.on("data", (d) => (streamOut += d));
    const streamDone = new Promise<void>((resolve) => stream.once("exit", () => resolve()));
    await new Promise((r) => setTimeout(r, 2000));
    // Task runs of three one-second steps, started through n1's gateway; each node's
    // taskmaster takes some (they share the runs by lease in the one database).
    const started = postEach("n1", `${gatewayUrl}/api/taskmaster/run`, Array.from({ length: 12 }, (_, i) => ({ task: "relay", input: { run: `r${i}` } })));
    expect(started.map((r) => r.status)).toEqual(started.map(() => 200));
    const runIds = started.map((r) => r.body.id as string);
    await new Promise((r) => setTimeout(r, 1500));
    const n3Dir = nodes.get("n3")!.dir;
    const killedAt = Date.now();
    expect(killNamespace("n3").length).toBeGreaterThan(0);
    // Both survivors notice within 5 s, from the heartbeats (plain NATS, no JetStream).
    for (const survivor of ["n1", "n2"] as const) {
      const noticedAt = await waitFor(`${survivor} noticing n3's loss`, () => lostLoggedAt(survivor, "n3"), 15_000);
      expect(noticedAt - killedAt).toBeLessThan(5000);
    }
    await waitFor("spread 3-3 on the survivors", () => settled({ n1: 3, n2: 3 }), 30_000);
    const fullAgainMs = Date.now() - killedAt;
    // When the survivors' hubs had started n3's share, by their own logs (fuse actors ls above
    // reads node records, which lag while JetStream re-elects).
    const replacedAt = Math.max(...(["n1", "n2"] as const).map((n) => hubLogLines(n, "placement applied").find((l) => l.time > killedAt && l.shares?.spread === 3)?.time ?? NaN));
    await streamDone;
    const counts = JSON.parse(streamOut.trim()) as { sent: number; ok: number; failed: number; byNode: Record<string, number>; failures: Record<string, number> };
    // Counted: what was sent, answered and failed; failures only around the loss (requests
    // that were on their way to n3's instances), none once its share was re-placed.
    console.log(`cluster node loss: ${JSON.stringify(counts)}, n3's share running on the survivors ${replacedAt - killedAt} ms after the kill (hub logs), seen in fuse actors ls after ${fullAgainMs} ms`);
    expect(Number.isFinite(replacedAt)).toBe(true);
    expect(counts.sent).toBe(counts.ok + counts.failed);
    // A call that was on n3 when it died fails with a status a client may retry (the gateway's
    // deadline, 10 s by default, or no live instance for a moment), never a hang or a 500.
    expect(Object.keys(counts.failures).filter((why) => !/^(503|504) /.test(why))).toEqual([]);
    expect(counts.ok).toBeGreaterThan(counts.sent * 0.8);
    expect(counts.byNode.n3 ?? 0).toBeGreaterThan(0);

    // Every run finishes, each of its steps under one idempotency key: runs held by n3's
    // taskmaster went on from their last finished step on another node, none from the start.
    const statuses = await waitFor("the 12 runs ended", () => {
      const list = postEach("n1", `${gatewayUrl}/api/taskmaster/status`, runIds.map((runId) => ({ runId }))).map((r) => r.body.status as string);
      return list.every((st) => !["pending", "running"].includes(st)) ? list : undefined;
    }, 60_000);
    expect(statuses).toEqual(runIds.map(() => "succeeded"));
    const executions = readFileSync(stepLog, "utf8").split("\n").filter(Boolean).map((l) => l.split(" ") as [string, string, string, string]);
    const keysOf = new Map<string, Set<string>>();
    for (const [run, step, key] of executions) keysOf.set(`${run} ${step}`, (keysOf.get(`${run} ${step}`) ?? new Set()).add(key));
    expect(keysOf.size).toBe(12 * 3);
    expect([...keysOf].filter(([, keys]) => keys.size !== 1)).toEqual([]);
    console.log(`task runs across the loss: 12 started, ${statuses.length} succeeded, ${executions.length} step executions for 36 steps (${executions.length - 36} repeated under the same key, at least once delivery), ${executions.filter((e) => e[3] === "n3").length} on n3`);

    // Everything written before the loss reads back after it.
    const recalled = postEach("n1", `${gatewayUrl}/api/spread/recall`, keys.map((key) => ({ key })));
    expect(recalled.map((r) => r.body.value)).toEqual(keys.map((key) => `value of ${key}`));
    // A file read makes a JetStream consumer, which waits for the metadata leader when n3 was it.
    const copy = `${filePath}.back`;
    await waitFor("the file read back on n2", () => cliIn("n2", ["files", "get", "kept.bin", copy]).code === 0 || undefined, 30_000);
    expect(readFileSync(copy).equals(fileBytes)).toBe(true);
    removeHubDir(filePath);
    removeHubDir(copy);

    // n3 returns from its folder and takes its share again.
    startNode("n3", n3Dir);
    await waitFor("n3 back", () => stateOf("n3")?.pid === nodes.get("n3")!.child.pid || undefined, 90_000);
    await waitFor("spread 2-2-2 again", () => settled({ n1: 2, n2: 2, n3: 2 }), 60_000);
  }, 240_000);

  it("fires the schedule once per tick, and moves it when its holder is killed without doubling a tick", async () => {
    await waitFor("ten ticks fired", () => ticks().length >= 10 || undefined, 30_000);
    const holder = nodesLs("n1").find((n) => n.leases.includes("schedules"))!.name as NodeName;
    const before = ticks();
    const killedAt = Math.floor(Date.now() / 1000);
    const killed = killNamespace(holder);
    expect(killed.length).toBeGreaterThan(0);
    const survivor = NODES.find((n) => n !== holder)!;
    // Another node takes the lease, and the schedule fires from there.
    // (The killed node's last record still says it holds the lease until it is seen as lost.)
    const holders = await waitFor("the lease held by a survivor", () => {
      const list = nodesLs(survivor).filter((n) => n.name !== holder && n.leases.includes("schedules"));
      return list.length ? list.map((n) => n.name) : undefined;
    }, 30_000);
    expect(holders).toHaveLength(1);
    await waitFor("five ticks after the takeover", () => ticks().filter((t) => t.second > killedAt).length >= 5 || undefined, 30_000);
    const all = ticks();
    const firings = all.length;
    const distinctTicks = new Set(all.map((t) => t.second)).size;
    // Counted: every firing is a tick of its own (none doubled), before and after the kill.
    expect({ firings, doubled: doubled(all) }).toEqual({ firings: distinctTicks, doubled: [] });
    expect(before.length).toBeGreaterThanOrEqual(10);
    const seen = await waitFor("the killed node listed as lost", () => nodesLs(survivor).find((n) => n.name === holder)?.status === "lost" || undefined, 15_000);
    expect(seen).toBe(true);
  });
});
