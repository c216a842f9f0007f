// Actor-to-actor calls over the bus against raw nats.js request/reply (with nats.js's
// defaults, and connected as Fuse connects) and Moleculer 0.14 (NATS transporter), on one
// nats-server; every client and server is its own bundled process on plain node.
import type { DriverResult } from "./lib/driver.ts";
import { ready, startActorBundle, startBundled, type BenchProcess } from "./lib/processes.ts";
import { RAW_NATS_AS_FUSE } from "./lib/raw-nats-connection.ts";
import { roundsReport, type Comparison, type Metric } from "./lib/ratios.ts";
import type { BenchReport } from "./lib/report.ts";
import { runRounds, type RoundSystem } from "./lib/rounds.ts";
import { settings } from "./lib/settings.ts";
import { ProcessEnv } from "../runtime/protocol/index.ts";
import { actorEnv, withNatsServer } from "./lib/with-nats.ts";

type Env = Record<string, string>;

interface BusSystem {
  id: string;
  server(env: Env, buildDir: string): Promise<BenchProcess>;
  client(env: Env, buildDir: string): Promise<BenchProcess>;
}

const rawNats = (id: string, asFuse: boolean): BusSystem => ({
  id,
  server: (env, buildDir) => ready(startBundled("bus/raw-responder.ts", { ...env, [RAW_NATS_AS_FUSE]: asFuse ? "1" : "0" }, buildDir)),
  client: (env, buildDir) => startBundled("bus/raw-requester.ts", { ...env, [RAW_NATS_AS_FUSE]: asFuse ? "1" : "0" }, buildDir),
});

function fuse(id: string, receipts: boolean): BusSystem {
  const withReceipts = (env: Env): Env => ({ ...env, [ProcessEnv.receipts]: receipts ? "1" : "0" });
  return {
    id,
    server: (env, buildDir) => ready(startActorBundle("echo", "bus/echo-actor.ts", withReceipts({ ...env, ...actorEnv("echo", env.NATS_URL!) }), buildDir), /"msg":"actor started"/),
    client: (env, buildDir) => startActorBundle("bench-caller", "bus/fuse-caller.ts", withReceipts({ ...env, ...actorEnv("bench-caller", env.NATS_URL!) }), buildDir),
  };
}

const SYSTEMS: BusSystem[] = [
  rawNats("raw-nats", false),
  rawNats("raw-nats-as-fuse", true),
  {
    id: "moleculer",
    server: (env, buildDir) => ready(startBundled("bus/mol-server.mjs", env, buildDir)),
    client: (env, buildDir) => startBundled("bus/mol-client.ts", env, buildDir),
  },
  fuse("fuse", false),
  // bus.receipts on: each request is acknowledged by the instance that takes it (one more message).
  fuse("fuse-receipts", true),
];

const METRICS: Metric<DriverResult>[] = [
  { name: "seq p50", value: (r) => r.seq_p50_us },
  { name: "seq p99", value: (r) => r.seq_p99_us },
  { name: `calls/s, ${settings.inflight} in flight`, value: (r) => r.tput_rps },
  { name: `p50, ${settings.inflight} in flight`, value: (r) => r.tput_p50_us },
  { name: `p99, ${settings.inflight} in flight`, value: (r) => r.tput_p99_us },
];

const COMPARISONS: Comparison[] = [
  { label: "fuse / raw nats.js (defaults)", system: "fuse", baseline: "raw-nats" },
  { label: "fuse / raw nats.js (as Fuse connects)", system: "fuse", baseline: "raw-nats-as-fuse" },
  { label: "fuse / moleculer", system: "fuse", baseline: "moleculer" },
  { label: "fuse with receipts / fuse", system: "fuse-receipts", baseline: "fuse" },
  { label: "raw nats.js as Fuse connects / defaults", system: "raw-nats-as-fuse", baseline: "raw-nats" },
  { label: "moleculer / raw nats.js (defaults)", system: "moleculer", baseline: "raw-nats" },
];

function roundSystem(system: BusSystem, env: Env, buildDir: string): RoundSystem<DriverResult> {
  return {
    id: system.id,
    async measure() {
      const server = await system.server(env, buildDir);
      try {
        const client = await system.client(env, buildDir);
        try {
          const metrics = await client.waitFor<DriverResult>("RESULT", 60_000 + settings.seconds * 3000);
          return { metrics, failure: metrics.errors ? `${metrics.errors} failed calls (first: ${metrics.first_error})` : undefined };
        } finally {
          await client.stop();
        }
      } finally {
        await server.stop();
      }
    },
  };
}

export function runBusBench(): Promise<BenchReport> {
  return withNatsServer("bus", async ({ natsUrl, buildDir }) => {
    const systems = SYSTEMS.map((s) => roundSystem(s, { NATS_URL: natsUrl }, buildDir));
    const describe = (r: DriverResult) => `seq p50 ${r.seq_p50_us}µs p99 ${r.seq_p99_us}µs | ${settings.inflight} in flight ${r.tput_rps} calls/s, p99 ${r.tput_p99_us}µs`;
    const runs = await runRounds(systems, { bench: "bus", describe });
    return roundsReport(runs, {
      bench: "bus",
      settings: { rounds: settings.rounds, seconds: settings.seconds, sequential: settings.sequential, inflight: settings.inflight, pause_s: settings.pauseMs / 1000 },
      systems: SYSTEMS.map((s) => s.id),
      metrics: METRICS,
      comparisons: COMPARISONS,
      notes: ["latencies in µs; targets: fuse / moleculer calls/s ≥ 1.20×, fuse / raw nats.js (defaults) seq p50 ≤ 1.00×"],
    });
  });
}
