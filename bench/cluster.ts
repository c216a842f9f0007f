// A hub on three cluster nodes on this machine (nats-servers routed over 127.0.0.1, the
// cluster's one database on node a): a call that crosses nodes against the same call within one
// node, and how long the cluster takes from the loss of a node to full capacity again. Three,
// since a cluster decides placement by a lease in JetStream, which needs a majority of nodes.
//
// `echo` runs on node b alone (placement). same-node: the caller is connected to node b's
// nats-server; cross-node: to node a's, so each request and reply takes the route between the
// servers. Both callers live in this process, with the same connection settings, each round
// in a rotated order. Failover: `spread` has 3 instances, one per node; node c's hub and
// nats-server are killed outright (its actors follow on their parent's death) while a steady
// stream of calls goes to `spread` through node a, and the clock stops when nodes a and b run
// all 3 and answer again: sent, succeeded, failed are counted.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { NatsTransport, connectNats } from "../runtime/bus/index.ts";
import { freePorts } from "../runtime/hub/index.ts";
import { ADMIN_IDENTITY, inboxPrefix, type ActorStatus } from "../runtime/protocol/index.ts";
import { Caller } from "../runtime/sdk/caller.ts";
import { startHubProcess, type HubProcess } from "./lib/hub-process.ts";
import { BENCH_DIR, makeTempDir, removeTempDir } from "./lib/processes.ts";
import { roundsReport, type Metric } from "./lib/ratios.ts";
import type { BenchReport } from "./lib/report.ts";
import { runRounds, type RoundSystem } from "./lib/rounds.ts";
import { envNumber, settings } from "./lib/settings.ts";
import { summarize } from "./lib/stats.ts";

const ROUNDS = Math.round(envNumber("BENCH_CLUSTER_ROUNDS", 3, 1));
const SEQUENTIAL = Math.round(envNumber("BENCH_CLUSTER_SEQ", 2000, 1));
const NODES = ["a", "b", "c"] as const;
type Node = (typeof NODES)[number];

interface CallResult {
  callsPerS: number;
  p50Us: number;
  p99Us: number;
}

const METRICS: Metric<CallResult>[] = [
  { name: "calls/s", value: (r) => r.callsPerS },
  { name: "seq p50 µs", value: (r) => r.p50Us },
  { name: "seq p99 µs", value: (r) => r.p99Us },
];

const PAYLOAD = { id: 1, user: "u-1", action: "view", ts: 0, tags: ["a", "b"], ok: true };
const SDK = JSON.stringify(path.resolve(BENCH_DIR, "../runtime/sdk/index.ts"));

/** One node's folder: both actors, and the config every node shares but for its name. */
function writeNode(dir: string, node: Node, ports: Record<Node | "db", number>, secret: string): void {
  const echo = readFileSync(path.join(BENCH_DIR, "bus/echo-actor.ts"), "utf8").replace(/"(\.\.\/)+runtime\/sdk\/index\.ts"/, SDK);
  for (const name of ["echo", "spread"]) {
    mkdirSync(path.join(dir, "actors", name), { recursive: true });
    writeFileSync(path.join(dir, "actors", name, "index.ts"), echo.replace('name: "echo"', `name: "${name}"`));
  }
  mkdirSync(path.join(dir, "config"), { recursive: true });
  writeFileSync(path.join(dir, "cluster.secret"), `${secret}\n`, { mode: 0o600 });
  const others = NODES.filter((n) => n !== node).map((n) => `127.0.0.1:${ports[n]}`);
  writeFileSync(
    path.join(dir, "config/fuse.yaml"),
    [
      `gateway: { enabled: false }`,
      `db: { node: a, address: "127.0.0.1:${ports.db}" }`,
      "cluster:",
      "  name: bench",
      `  node: ${node}`,
      `  listen: 127.0.0.1:${ports[node]}`,
      `  seeds: [${others.join(", ")}]`,
      "  secret: ${file:cluster.secret}",
      "actors:",
      "  echo: { instances: 1, placement: { nodes: [b] } }",
      "  spread: { instances: 3 }",
      "",
    ].join("\n"),
  );
}

async function connect(hub: HubProcess, name: string): Promise<{ caller: Caller; close: () => Promise<void> }> {
  const transport = new NatsTransport(await connectNats({ url: hub.state.natsUrl, name, credsFile: hub.state.natsCreds, inboxPrefix: inboxPrefix(ADMIN_IDENTITY) }));
  return { caller: new Caller(transport, "fuse", name), close: () => transport.close() };
}

const call = (caller: Caller, target: string, timeout = 10_000) => caller.call({ traceId: "bench-cluster", deadline: undefined }, target, PAYLOAD, { timeout });

function callSystem(id: string, caller: Caller): RoundSystem<CallResult> {
  return {
    id,
    async measure() {
      for (let i = 0; i < settings.warmup; i++) await call(caller, "echo.echo");
      const latencies: number[] = [];
      for (let i = 0; i < SEQUENTIAL; i++) {
        const began = performance.now();
        await call(caller, "echo.echo");
        latencies.push((performance.now() - began) * 1000);
      }
      const { p50_us, p99_us } = summarize(latencies);
      const until = performance.now() + settings.seconds * 1000;
      const began = performance.now();
      let done = 0;
      await Promise.all(
        Array.from({ length: settings.inflight }, async () => {
          while (performance.now() < until) {
            await call(caller, "echo.echo");
            done++;
          }
        }),
      );
      return { metrics: { callsPerS: done / ((performance.now() - began) / 1000), p50Us: p50_us, p99Us: p99_us } };
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const runningOn = async (caller: Caller, actor: string, node: Node) => {
  const { actors } = (await caller.call({ traceId: "bench-cluster", deadline: undefined }, "hub.list", {}, { timeout: 5000 })) as { actors: ActorStatus[] };
  return actors.filter((a) => a.name === actor && a.node === node).reduce((n, a) => n + a.running, 0);
};

interface Failover {
  ms: number;
  sent: number;
  succeeded: number;
  failed: number;
}

/** Node c lost outright under a stream of calls to `spread` through node a. */
async function failover(c: HubProcess, caller: Caller): Promise<Failover> {
  const spread = async (nodes: readonly Node[]) => (await Promise.all(nodes.map((n) => runningOn(caller, "spread", n)))).reduce((a, b) => a + b, 0);
  await waitUntil("spread on every node", async () => (await Promise.all(NODES.map((n) => runningOn(caller, "spread", n)))).every((n) => n === 1));
  const counts = { sent: 0, succeeded: 0, failed: 0 };
  let streaming = true;
  const stream = (async () => {
    while (streaming) {
      counts.sent++;
      await call(caller, "spread.echo", 2000).then(() => counts.succeeded++, () => counts.failed++);
    }
  })();
  await sleep(1000);
  const lostAt = performance.now();
  for (const pid of [c.child.pid!, ...c.state.servicePids]) process.kill(pid, "SIGKILL");
  await waitUntil("nodes a and b to run all 3 spread instances and answer", async () => (await spread(["a", "b"])) === 3 && (await call(caller, "spread.echo", 2000).then(() => true)));
  const ms = performance.now() - lostAt;
  streaming = false;
  await stream;
  return { ms, ...counts };
}

export async function runClusterBench(): Promise<BenchReport> {
  const dirs = NODES.map((node) => makeTempDir(`cluster-${node}`));
  const hubs: HubProcess[] = [];
  const closers: (() => Promise<void>)[] = [];
  try {
    const [a, b, c, db] = (await freePorts(4)) as [number, number, number, number];
    const ports = { a, b, c, db };
    const secret = randomBytes(24).toString("hex");
    NODES.forEach((node, i) => writeNode(dirs[i]!, node, ports, secret));
    // Together: each waits for the other's JetStream before it starts its actors.
    hubs.push(...(await Promise.all(dirs.map((dir) => startHubProcess(dir)))));
    const [onA, onB] = await Promise.all([connect(hubs[0]!, "bench-cluster-a"), connect(hubs[1]!, "bench-cluster-b")]);
    closers.push(onA.close, onB.close);
    await waitUntil("echo on node b", async () => (await runningOn(onA.caller, "echo", "b")) === 1);
    const runs = await runRounds([callSystem("same-node", onB.caller), callSystem("cross-node", onA.caller)], {
      bench: "cluster",
      rounds: ROUNDS,
      describe: (r) => `${Math.round(r.callsPerS)} calls/s, seq p50 ${Math.round(r.p50Us)} µs`,
    });
    process.stderr.write("  cluster: node c lost outright under calls through node a…\n");
    const lost = await failover(hubs[2]!, onA.caller);
    process.stderr.write(`  cluster failover: ${Math.round(lost.ms)} ms to full capacity; ${lost.sent} calls sent, ${lost.succeeded} succeeded, ${lost.failed} failed\n`);
    const report = roundsReport(runs, {
      bench: "cluster",
      settings: { rounds: ROUNDS, seconds: settings.seconds, inflight: settings.inflight, sequential: SEQUENTIAL, nodes: "3 on 127.0.0.1 (routed nats-servers)" },
      systems: ["same-node", "cross-node"],
      metrics: METRICS,
      comparisons: [{ label: "cross-node / same-node", system: "cross-node", baseline: "same-node" }],
      notes: [
        "same-node: the caller on node b's nats-server, echo on node b; cross-node: the caller on node a's, so every request and reply crosses the route",
        `failover: ${Math.round(lost.ms)} ms from node c's loss (hub and nats-server killed) until nodes a and b ran all 3 spread instances and answered; ${lost.sent} calls sent through node a meanwhile, ${lost.succeeded} succeeded, ${lost.failed} failed`,
      ],
    });
    report.systems.push({ system: "failover", "ms to full capacity": Math.round(lost.ms), sent: lost.sent, succeeded: lost.succeeded, failed: lost.failed });
    return report;
  } finally {
    for (const close of closers) await close().catch(() => undefined);
    for (const hub of hubs) await hub.stop().catch(() => undefined);
    for (const dir of dirs) removeTempDir(dir);
  }
}
