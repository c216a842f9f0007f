// Actor-to-actor calls over the bus against raw nats.js request/reply and Moleculer 0.14
// (NATS transporter), on one nats-server, every client and server its own process. Systems
// are interleaved per round (A B C, then C B A) to cancel drift on a noisy machine.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startNatsServer } from "../runtime/hub/index.ts";
import { ProcessEnv } from "../runtime/protocol/index.ts";
import type { DriverResult } from "./lib/driver.ts";
import { ready, startActorBundle, startBundled, startScript, type BenchProcess } from "./lib/processes.ts";
import { median, pairedRange, ratio } from "./lib/stats.ts";

interface System {
  id: string;
  server(env: Record<string, string>, buildDir: string): Promise<BenchProcess>;
  client(env: Record<string, string>, buildDir: string): Promise<BenchProcess>;
}

const SYSTEMS: System[] = [
  {
    id: "raw-nats",
    server: (env, buildDir) => ready(startBundled("bus/raw-responder.ts", env, buildDir), /^READY$/),
    client: (env, buildDir) => startBundled("bus/raw-requester.ts", env, buildDir),
  },
  {
    id: "moleculer",
    server: (env) => ready(startScript("bus/mol-server.mjs", env), /^READY$/),
    client: async (env) => startScript("bus/mol-client.mjs", env),
  },
  {
    // Both sides run as the hub runs actors: bundled, on plain node (so do raw nats.js's).
    id: "fuse",
    server: (env, buildDir) =>
      ready(
        startActorBundle("echo", "bus/echo-actor.ts", { ...env, [ProcessEnv.actor]: "echo", [ProcessEnv.natsUrl]: env.NATS_URL!, [ProcessEnv.logLevel]: "info" }, buildDir),
        /"msg":"actor started"/,
      ),
    client: (env, buildDir) => startBundled("bus/fuse-caller.ts", env, buildDir),
  },
];

export interface BusBenchResult {
  rows: (DriverResult & { system: string })[];
  summary: string[];
}

export async function runBusBench(rounds = Number(process.env.BENCH_ROUNDS ?? 3)): Promise<BusBenchResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-bench-"));
  const nats = await startNatsServer({ dir });
  const env = { NATS_URL: nats.url };
  const buildDir = path.join(dir, "build");
  const runs: (DriverResult & { system: string; round: number })[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? SYSTEMS : [...SYSTEMS].reverse();
      for (const system of order) {
        const server = await system.server(env, buildDir);
        try {
          const client = await system.client(env, buildDir);
          const result = await client.waitFor<DriverResult>("RESULT", 300_000);
          await client.stop();
          runs.push({ system: system.id, round, ...result });
          process.stderr.write(`  bus round ${round + 1} ${system.id}: seq p50 ${result.seq_p50_us}µs p99 ${result.seq_p99_us}µs | 64 in flight ${result.tput_rps} req/s\n`);
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const med = (id: string, key: keyof DriverResult) => Math.round(median(runs.filter((r) => r.system === id).map((r) => r[key])));
  const rows = SYSTEMS.map((s) => ({
    system: s.id,
    seq_p50_us: med(s.id, "seq_p50_us"),
    seq_p99_us: med(s.id, "seq_p99_us"),
    tput_rps: med(s.id, "tput_rps"),
    tput_p50_us: med(s.id, "tput_p50_us"),
    tput_p99_us: med(s.id, "tput_p99_us"),
  }));
  const summary = [
    `fuse / raw nats.js, sequential p50 latency: ${ratio(med("fuse", "seq_p50_us"), med("raw-nats", "seq_p50_us"))}${pairedRange(runs, "fuse", "raw-nats", (r) => r.seq_p50_us)} (target ≤ 1.00×)`,
    `fuse / moleculer, throughput with 64 in flight: ${ratio(med("fuse", "tput_rps"), med("moleculer", "tput_rps"))}${pairedRange(runs, "fuse", "moleculer", (r) => r.tput_rps)} (target ≥ 1.20×)`,
    `fuse / raw nats.js, throughput with 64 in flight: ${ratio(med("fuse", "tput_rps"), med("raw-nats", "tput_rps"))}`,
    `moleculer / raw nats.js, throughput with 64 in flight: ${ratio(med("moleculer", "tput_rps"), med("raw-nats", "tput_rps"))} (anchor: about 1.6×)`,
  ];
  return { rows, summary };
}
