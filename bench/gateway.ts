// HTTP → bus → HTTP: the Fuse gateway in front of an actor, against (a) plain Hono answering
// itself, (b) a minimal Hono route doing one raw nats.js request to a raw responder and (c)
// moleculer-web in front of Moleculer over NATS. One nats-server; every server and the load
// generator (autocannon, 64 connections) are their own processes; systems interleave per round.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { startNatsServer } from "../runtime/hub/index.ts";
import { ProcessEnv } from "../runtime/protocol/index.ts";
import { ready, startActorBundle, startBundled, startScript, type BenchProcess } from "./lib/processes.ts";
import { median, pairedRange, ratio } from "./lib/stats.ts";

interface LoadResult {
  rps: number;
  p50_us: number;
  p99_us: number;
  non2xx: number;
  errors: number;
}

interface System {
  id: string;
  /** Starts the server process(es); resolves with their URL of POST /echo-like route. */
  start(env: Record<string, string>, buildDir: string): Promise<{ url: string; processes: BenchProcess[] }>;
}

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

const readyUrl = (p: BenchProcess) => (JSON.parse(p.lines.find((l) => l.startsWith("READY "))!.slice(6)) as { url: string }).url;

const SYSTEMS: System[] = [
  {
    id: "plain-hono",
    start: async (env, buildDir) => {
      const server = await ready(startBundled("gateway/hono-plain.ts", env, buildDir), /^READY /);
      return { url: `${readyUrl(server)}/echo`, processes: [server] };
    },
  },
  {
    id: "hono+raw-nats",
    start: async (env, buildDir) => {
      const responder = await ready(startBundled("bus/raw-responder.ts", env, buildDir));
      const server = await ready(startBundled("gateway/hono-nats.ts", env, buildDir), /^READY /);
      return { url: `${readyUrl(server)}/echo`, processes: [server, responder] };
    },
  },
  {
    id: "moleculer-web",
    start: async (env) => {
      const service = await ready(startScript("bus/mol-server.mjs", env));
      const server = await ready(startScript("gateway/molweb-gateway.mjs", { ...env, HTTP_PORT: String(await freePort()) }), /^READY /);
      return { url: `${readyUrl(server)}/echo`, processes: [server, service] };
    },
  },
  {
    // The actor and the gateway run as the hub runs them: bundled, on plain node.
    id: "fuse-gateway",
    start: async (env, buildDir) => {
      const actorEnv = (name: string) => ({
        ...env,
        [ProcessEnv.actor]: name,
        [ProcessEnv.natsUrl]: env.NATS_URL!,
        [ProcessEnv.prefix]: "bench",
        [ProcessEnv.logLevel]: "info",
      });
      const actor = await ready(startActorBundle("echo", "bus/echo-actor.ts", actorEnv("echo"), buildDir), /"msg":"actor started"/);
      const gateway = await ready(startActorBundle("gateway", "../runtime/gateway/actor.ts", actorEnv("gateway"), buildDir), /"msg":"gateway listening"/);
      const listening = JSON.parse(gateway.lines.find((l) => l.includes('"msg":"gateway listening"'))!) as { url: string };
      return { url: `${listening.url}/api/echo/echo`, processes: [gateway, actor] };
    },
  },
];

export interface GatewayBenchResult {
  rows: { system: string; rps: number; p50_us: number; p99_us: number }[];
  summary: string[];
}

export async function runGatewayBench(rounds = Number(process.env.BENCH_ROUNDS ?? 3)): Promise<GatewayBenchResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-bench-gw-"));
  const nats = await startNatsServer({ dir });
  const buildDir = path.join(dir, "build");
  const env = { NATS_URL: nats.url, DURATION_S: process.env.BENCH_HTTP_S ?? "5", WARMUP_S: "1", CONNECTIONS: "64" };
  const runs: (LoadResult & { system: string; round: number })[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (const system of round % 2 === 0 ? SYSTEMS : [...SYSTEMS].reverse()) {
        const { url, processes } = await system.start(env, buildDir);
        try {
          const load = startScript("gateway/load.mjs", { ...env, LOAD_URL: url });
          const result = await load.waitFor<LoadResult>("RESULT", 60_000);
          await load.stop();
          runs.push({ system: system.id, round, ...result });
          process.stderr.write(`  gateway round ${round + 1} ${system.id}: ${result.rps} req/s, p50 ${result.p50_us}µs p99 ${result.p99_us}µs, non-2xx ${result.non2xx}\n`);
        } finally {
          for (const p of processes) await p.stop();
        }
      }
    }
  } finally {
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const med = (id: string, key: "rps" | "p50_us" | "p99_us") => Math.round(median(runs.filter((r) => r.system === id).map((r) => r[key])));
  const rows = SYSTEMS.map((s) => ({ system: s.id, rps: med(s.id, "rps"), p50_us: med(s.id, "p50_us"), p99_us: med(s.id, "p99_us") }));
  const summary = [
    `fuse-gateway / moleculer-web, throughput: ${ratio(med("fuse-gateway", "rps"), med("moleculer-web", "rps"))}${pairedRange(runs, "fuse-gateway", "moleculer-web", (r) => r.rps)} (target ≥ 2.00×); p99: ${ratio(med("fuse-gateway", "p99_us"), med("moleculer-web", "p99_us"))} (target < 1.00×)`,
    `fuse-gateway / plain Hono, throughput: ${ratio(med("fuse-gateway", "rps"), med("plain-hono", "rps"))}`,
    `hono+raw-nats / plain Hono, throughput: ${ratio(med("hono+raw-nats", "rps"), med("plain-hono", "rps"))} (anchor: about 0.15×)`,
    `moleculer-web / plain Hono, throughput: ${ratio(med("moleculer-web", "rps"), med("plain-hono", "rps"))} (anchor: about 0.15×)`,
    `fuse-gateway / hono+raw-nats, throughput: ${ratio(med("fuse-gateway", "rps"), med("hono+raw-nats", "rps"))}`,
  ];
  return { rows, summary };
}
