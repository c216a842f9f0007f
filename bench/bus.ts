// Actor-to-actor calls over the bus against raw nats.js request/reply (with nats.js's
// defaults, and connected as Fuse connects) and Moleculer 0.14 (NATS transporter), on one
// nats-server; every client and server is its own bundled process on plain node. Fuse also
// calls from inside a request, with and without a signed principal (the bus half of issue 12's
// bench: a principal must cost < 5%). BENCH_BUS_SYSTEMS=fuse-in-handler,fuse-principal runs a subset.
import path from "node:path";
import { LOCAL_ADMIN } from "../runtime/protocol/index.ts";
import { createHubKeys, readKeyFile, signPrincipal } from "../runtime/security/index.ts";
import type { DriverResult } from "./lib/driver.ts";
import { ready, startActorBundle, startBundled, type BenchProcess } from "./lib/processes.ts";
import { RAW_NATS_AS_FUSE } from "./lib/raw-nats-connection.ts";
import { roundsReport, type Comparison, type Metric } from "./lib/ratios.ts";
import type { BenchReport } from "./lib/report.ts";
import { runRounds, type RoundSystem, type Run } from "./lib/rounds.ts";
import { settings } from "./lib/settings.ts";
import { otlpSink } from "./lib/otlp-sink.ts";
import { ANSWER_WITHIN, ProcessEnv, busPermissions, type BusPermissions } from "../runtime/protocol/index.ts";
import { actorEnv, rawNatsAuthEnv, withNatsServer, type NatsBench } from "./lib/with-nats.ts";

type Env = Record<string, string>;

interface BusSystem {
  id: string;
  server(env: Env, buildDir: string, bench: NatsBench): Promise<BenchProcess>;
  client(env: Env, buildDir: string, bench: NatsBench): Promise<BenchProcess>;
}

// The server requires a credential of every system, as a hub's does, and checks each one's
// subjects: Fuse's actors get what the hub derives for them; the baselines the same shape
// (their own subjects, their inbox, allow_responses for the answer).
const answers = { max: 1, expires: ANSWER_WITHIN };
const RAW_RESPONDER: BusPermissions = { publish: { allow: ["bench.none"] }, subscribe: { allow: ["bench.echo"] }, allow_responses: answers };
const RAW_REQUESTER: BusPermissions = { publish: { allow: ["bench.echo"] }, subscribe: { allow: ["_INBOX.bench-raw-requester.>"] } };
// Moleculer sends requests, answers and discovery on MOL.* subjects of its own.
const MOLECULER: BusPermissions = { publish: { allow: ["MOL.>"] }, subscribe: { allow: ["MOL.>"] } };

const rawNats = (id: string, asFuse: boolean): BusSystem => ({
  id,
  server: async (env, buildDir, bench) =>
    ready(startBundled("bus/raw-responder.ts", { ...env, ...rawNatsAuthEnv(await bench.creds("bench-raw-responder", "actor", RAW_RESPONDER), "bench-raw-responder"), [RAW_NATS_AS_FUSE]: asFuse ? "1" : "0" }, buildDir)),
  client: async (env, buildDir, bench) =>
    startBundled("bus/raw-requester.ts", { ...env, ...rawNatsAuthEnv(await bench.creds("bench-raw-requester", "actor", RAW_REQUESTER), "bench-raw-requester"), [RAW_NATS_AS_FUSE]: asFuse ? "1" : "0" }, buildDir),
});

/** How the Fuse caller drives its calls: from its start hook, or from a request's handler (with a principal or not). */
type Drive = { inHandler?: boolean; principal?: boolean; metricsOff?: boolean; tracing?: boolean; traceStore?: boolean };

function fuse(id: string, receipts: boolean, drive: Drive = {}): BusSystem {
  const withReceipts = (env: Env): Env => {
    const out: Env = { ...env, [ProcessEnv.receipts]: receipts ? "1" : "0" };
    if (drive.inHandler || drive.principal) out.BENCH_DRIVE_IN_HANDLER = "1";
    if (drive.principal) out.BENCH_PRINCIPAL_TOKEN = env.BENCH_TOKEN!;
    // metrics.enabled: false, as the hub hands it to its processes.
    if (drive.metricsOff) out[ProcessEnv.metrics] = "0";
    // Both ends hold the hub's public key in the handler systems, as under a hub: only the token differs.
    if (!drive.inHandler && !drive.principal) delete out[ProcessEnv.principalKey];
    return out;
  };
  // The rights a hub with this bus.receipts gives (with receipts an answer is two messages).
  const rights = (name: string) => busPermissions({ name, role: "actor" }, { prefix: "fuse", receipts });
  // telemetry.otlp.url as the hub hands it on, to a sink that discards the spans; telemetry.recent: true (the store alone).
  const tracing = async (env: Env): Promise<Env> => {
    if (drive.traceStore) return { ...env, [ProcessEnv.traceRecent]: "2000" };
    return drive.tracing ? { ...env, [ProcessEnv.otlpUrl]: await otlpSink() } : env;
  };
  const as = async (name: string, env: Env, bench: NatsBench): Promise<Env> =>
    tracing(withReceipts({ ...env, ...actorEnv(name, env.NATS_URL!), [ProcessEnv.natsCreds]: await bench.creds(name, "actor", rights(name)) }));
  return {
    id,
    server: async (env, buildDir, bench) => ready(startActorBundle("echo", "bus/echo-actor.ts", await as("echo", env, bench), buildDir), /"msg":"actor started"/),
    client: async (env, buildDir, bench) => startActorBundle("bench-caller", "bus/fuse-caller.ts", await as("bench-caller", env, bench), buildDir),
  };
}

const SYSTEMS: BusSystem[] = [
  rawNats("raw-nats", false),
  rawNats("raw-nats-as-fuse", true),
  {
    id: "moleculer",
    server: async (env, buildDir, bench) => ready(startBundled("bus/mol-server.mjs", { ...env, MOL_NATS_CREDS: await bench.creds("bench-mol-server", "actor", MOLECULER) }, buildDir)),
    client: async (env, buildDir, bench) => startBundled("bus/mol-client.ts", { ...env, MOL_NATS_CREDS: await bench.creds("bench-mol-client", "actor", MOLECULER) }, buildDir),
  },
  fuse("fuse", false),
  // bus.receipts on: each request is acknowledged by the instance that takes it (one more message).
  fuse("fuse-receipts", true),
  // Calls made from inside a request's handler, without and with a principal the caller verified and carries on.
  fuse("fuse-in-handler", false, { inHandler: true }),
  fuse("fuse-principal", false, { principal: true }),
  // Prometheus figures off in both processes (metrics.enabled: false); on is the default.
  fuse("fuse-metrics-off", false, { metricsOff: true }),
  // OpenTelemetry spans in both processes (telemetry.otlp.url set), exported to a sink that discards them; off is the default.
  fuse("fuse-tracing-on", false, { tracing: true }),
  // The in-hub trace store alone in both processes (telemetry.recent: true), no exporter.
  fuse("fuse-trace-store", false, { traceStore: true }),
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
  { label: "fuse with a principal / fuse (both from a handler)", system: "fuse-principal", baseline: "fuse-in-handler" },
  { label: "fuse (metrics on) / fuse with metrics off", system: "fuse", baseline: "fuse-metrics-off" },
  { label: "fuse with tracing on / fuse (tracing off)", system: "fuse-tracing-on", baseline: "fuse" },
  { label: "fuse with the trace store only / fuse (tracing off)", system: "fuse-trace-store", baseline: "fuse" },
  { label: "fuse from a handler / fuse from a start hook", system: "fuse-in-handler", baseline: "fuse" },
  { label: "raw nats.js as Fuse connects / defaults", system: "raw-nats-as-fuse", baseline: "raw-nats" },
  { label: "moleculer / raw nats.js (defaults)", system: "moleculer", baseline: "raw-nats" },
];

const selected = process.env.BENCH_BUS_SYSTEMS?.split(",").map((s) => s.trim()).filter(Boolean);
const unknownSystems = selected?.filter((id) => !SYSTEMS.some((s) => s.id === id));
if (unknownSystems?.length) throw new Error(`BENCH_BUS_SYSTEMS: no system ${unknownSystems.join(", ")}; expected some of ${SYSTEMS.map((s) => s.id).join(", ")}`);
const RUN_SYSTEMS = selected ? SYSTEMS.filter((s) => selected.includes(s.id)) : SYSTEMS;
const RUN_COMPARISONS = COMPARISONS.filter((c) => RUN_SYSTEMS.some((s) => s.id === c.system) && RUN_SYSTEMS.some((s) => s.id === c.baseline));

/**
 * The hub's key pair made as the hub makes it, and a principal token signed with it for an
 * hour (the gateway's would be renewed; one token is what a caller's requests share).
 */
function principalEnv(dir: string): Env {
  const keys = createHubKeys(path.join(dir, "fuse"));
  return { [ProcessEnv.principalKey]: keys.publicKey, BENCH_TOKEN: signPrincipal(LOCAL_ADMIN, readKeyFile(keys.signingKey, "signing key"), 3_600_000) };
}

function roundSystem(system: BusSystem, env: Env, bench: NatsBench): RoundSystem<DriverResult> {
  const buildDir = bench.buildDir;
  return {
    id: system.id,
    async measure() {
      const server = await system.server(env, buildDir, bench);
      try {
        const client = await system.client(env, buildDir, bench);
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
  return withNatsServer("bus", async (bench) => {
    const systems = RUN_SYSTEMS.map((s) => roundSystem(s, { NATS_URL: bench.natsUrl, ...principalEnv(bench.dir) }, bench));
    const describe = (r: DriverResult) => `seq p50 ${r.seq_p50_us}µs p99 ${r.seq_p99_us}µs | ${settings.inflight} in flight ${r.tput_rps} calls/s, p99 ${r.tput_p99_us}µs`;
    const runs = await runRounds(systems, { bench: "bus", describe });
    const principalNote = RUN_SYSTEMS.some((s) => s.id === "fuse-in-handler") && RUN_SYSTEMS.some((s) => s.id === "fuse-principal") ? [await principalCostNote(runs, bench.buildDir)] : [];
    return roundsReport(runs, {
      bench: "bus",
      settings: { rounds: settings.rounds, seconds: settings.seconds, sequential: settings.sequential, inflight: settings.inflight, pause_s: settings.pauseMs / 1000 },
      systems: RUN_SYSTEMS.map((s) => s.id),
      metrics: METRICS,
      comparisons: RUN_COMPARISONS,
      notes: [
        "latencies in µs; targets: fuse (metrics on) / fuse with metrics off calls/s ≥ 0.95×, fuse / moleculer calls/s ≥ 1.20×, fuse / raw nats.js (defaults) seq p50 ≤ 1.00×, fuse with a principal / fuse (both from a handler) calls/s ≥ 0.95×",
        "the server requires an NKey credential of every system and checks its subject permissions, as a hub's does",
        ...principalNote,
      ],
    });
  }, { auth: true });
}

/** The principal's own work on one call measured alone, as a share of the time a call takes fuse-in-handler in these rounds. */
async function principalCostNote(runs: Run<DriverResult>[], buildDir: string): Promise<string> {
  const cost = await startBundled("bus/principal-cost.ts", {}, buildDir);
  try {
    const us = await cost.waitFor<{ without_us: number; with_us: number; token_bytes: number }>("RESULT", 120_000);
    const rates = runs.filter((r) => r.system === "fuse-in-handler" && !r.failure && r.metrics).map((r) => r.metrics!.tput_rps);
    const perCallUs = 1e6 / Math.max(...rates, 1);
    const added = us.with_us - us.without_us;
    return `principal alone (one process; header encode at the caller, parse, cached verify and access check at the callee): ${us.without_us} µs without, ${us.with_us} µs with a ${us.token_bytes}-byte token; beside ${perCallUs.toFixed(0)} µs a call of fuse-in-handler at its best round (${settings.inflight} in flight), it adds ${((100 * added) / perCallUs).toFixed(1)}%`;
  } finally {
    await cost.stop();
  }
}
