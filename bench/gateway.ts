// HTTP → bus → HTTP: the Fuse gateway in front of an actor, against plain Hono answering
// itself, a minimal Hono route doing one raw nats.js request to a raw responder (nats.js's
// defaults, and connected as Fuse connects), and moleculer-web in front of Moleculer over
// NATS. One nats-server; every server and the load generator (autocannon) are their own
// bundled processes on plain node. The Fuse gateway also runs with authentication on (an API
// key, and an HS256 JWT, on every request) against itself without: the cost of a verified
// credential per request. BENCH_GATEWAY_SYSTEMS=fuse-gateway,fuse-gateway+api-key runs a subset.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SignJWT } from "jose";
import { ProcessEnv } from "../runtime/protocol/index.ts";
import { apiKeyFile, createApiKey } from "../runtime/security/index.ts";
import { ready, startActorBundle, startBundled, type BenchProcess } from "./lib/processes.ts";
import { RAW_NATS_AS_FUSE } from "./lib/raw-nats-connection.ts";
import { roundsReport, type Comparison, type Metric } from "./lib/ratios.ts";
import type { BenchReport } from "./lib/report.ts";
import { runRounds, type RoundSystem, type Run } from "./lib/rounds.ts";
import { settings } from "./lib/settings.ts";
import { freePort } from "../runtime/hub/index.ts";
import { actorEnv, withNatsServer } from "./lib/with-nats.ts";

type Env = Record<string, string>;

interface LoadResult {
  rps: number;
  p50_us: number;
  p99_us: number;
  non2xx: number;
  errors: number;
}

interface GatewaySystem {
  id: string;
  /** Starts the server process(es); resolves with the URL of their POST echo route. */
  start(env: Env, buildDir: string, started: BenchProcess[]): Promise<string>;
  /** Headers the load generator sends with every request (a credential). */
  headers?(buildDir: string): Promise<Env>;
}

/** Starts a server that prints `READY {"url":…}`; resolves with its URL. */
async function startHttp(script: string, env: Env, buildDir: string, started: BenchProcess[]): Promise<string> {
  const server = await ready(startBundled(script, env, buildDir), /^READY /);
  started.push(server);
  return (JSON.parse(server.lines.find((l) => l.startsWith("READY "))!.slice(6)) as { url: string }).url;
}

const honoRawNats = (id: string, asFuse: boolean): GatewaySystem => ({
  id,
  start: async (env, buildDir, started) => {
    const rawEnv = { ...env, [RAW_NATS_AS_FUSE]: asFuse ? "1" : "0" };
    started.push(await ready(startBundled("bus/raw-responder.ts", rawEnv, buildDir)));
    return `${await startHttp("gateway/hono-nats.ts", rawEnv, buildDir, started)}/echo`;
  },
});

const JWT_SECRET = "bench-secret-of-at-least-32-characters";

/**
 * The Fuse gateway actor in front of the echo actor; with `config`, in a hub folder of its own
 * whose config/fuse.yaml sets `gateway.auth`, and `credential` makes what every request sends.
 */
function fuseGateway(id: string, config?: string, credential?: (hubDir: string) => Promise<Env>, moreEnv: Env = {}): GatewaySystem {
  const hubDirOf = (buildDir: string) => path.join(buildDir, "..", `hub-${id.replace(/[^a-z0-9-]/g, "-")}`);
  return {
    id,
    start: async (env, buildDir, started) => {
      const extra: Env = { [ProcessEnv.prefix]: "bench", ...moreEnv };
      if (config) {
        const hubDir = hubDirOf(buildDir);
        mkdirSync(path.join(hubDir, "config"), { recursive: true });
        writeFileSync(path.join(hubDir, "config", "fuse.yaml"), config);
        extra[ProcessEnv.hubDir] = hubDir;
      }
      const fuseEnv = (name: string) => ({ ...env, ...actorEnv(name, env.NATS_URL!, extra) });
      started.push(await ready(startActorBundle("echo", "bus/echo-actor.ts", fuseEnv("echo"), buildDir), /"msg":"actor started"/));
      const gateway = await ready(startActorBundle("gateway", "../runtime/gateway/actor.ts", fuseEnv("gateway"), buildDir), /"msg":"gateway listening"/);
      started.push(gateway);
      const listening = JSON.parse(gateway.lines.find((l) => l.includes('"msg":"gateway listening"'))!) as { url: string };
      return `${listening.url}/api/echo/echo`;
    },
    ...(credential ? { headers: (buildDir: string) => credential(hubDirOf(buildDir)) } : {}),
  };
}

const SYSTEMS: GatewaySystem[] = [
  { id: "plain-hono", start: async (env, buildDir, started) => `${await startHttp("gateway/hono-plain.ts", env, buildDir, started)}/echo` },
  honoRawNats("hono+raw-nats", false),
  honoRawNats("hono+raw-nats-as-fuse", true),
  {
    id: "moleculer-web",
    start: async (env, buildDir, started) => {
      started.push(await ready(startBundled("bus/mol-server.mjs", env, buildDir)));
      return `${await startHttp("gateway/molweb-gateway.mjs", { ...env, HTTP_PORT: String(await freePort()) }, buildDir, started)}/echo`;
    },
  },
  fuseGateway("fuse-gateway"),
  // Prometheus figures off in the gateway and the echo actor (metrics.enabled: false); on is the default.
  fuseGateway("fuse-gateway-metrics-off", undefined, undefined, { [ProcessEnv.metrics]: "0" }),
  fuseGateway("fuse-gateway+api-key", "gateway:\n  auth:\n    keys: true\n", (hubDir) => {
    const { key } = createApiKey(apiKeyFile(hubDir), { name: `bench-${Date.now()}`, roles: ["user"] });
    return Promise.resolve({ authorization: `Bearer ${key}` });
  }),
  fuseGateway("fuse-gateway+jwt", `gateway:\n  auth:\n    jwt:\n      secret: ${JWT_SECRET}\n      issuer: bench\n      audience: fuse\n`, async () => {
    const token = await new SignJWT({ roles: ["user"] }).setProtectedHeader({ alg: "HS256" }).setSubject("bench").setIssuer("bench").setAudience("fuse").setExpirationTime("1h").sign(new TextEncoder().encode(JWT_SECRET));
    return { authorization: `Bearer ${token}` };
  }),
];

const METRICS: Metric<LoadResult>[] = [
  { name: "req/s", value: (r) => r.rps },
  { name: "p50", value: (r) => r.p50_us },
  { name: "p99", value: (r) => r.p99_us },
];

const COMPARISONS: Comparison[] = [
  { label: "fuse-gateway / moleculer-web", system: "fuse-gateway", baseline: "moleculer-web" },
  { label: "fuse-gateway / hono+raw-nats (defaults)", system: "fuse-gateway", baseline: "hono+raw-nats" },
  { label: "fuse-gateway / hono+raw-nats (as Fuse connects)", system: "fuse-gateway", baseline: "hono+raw-nats-as-fuse" },
  { label: "fuse-gateway / plain Hono", system: "fuse-gateway", baseline: "plain-hono" },
  { label: "hono+raw-nats as Fuse connects / defaults", system: "hono+raw-nats-as-fuse", baseline: "hono+raw-nats" },
  { label: "hono+raw-nats (defaults) / plain Hono", system: "hono+raw-nats", baseline: "plain-hono" },
  { label: "moleculer-web / plain Hono", system: "moleculer-web", baseline: "plain-hono" },
  { label: "fuse-gateway (metrics on) / metrics off", system: "fuse-gateway", baseline: "fuse-gateway-metrics-off" },
  { label: "fuse-gateway with an API key / without auth", system: "fuse-gateway+api-key", baseline: "fuse-gateway" },
  { label: "fuse-gateway with a JWT / without auth", system: "fuse-gateway+jwt", baseline: "fuse-gateway" },
];

const selected = process.env.BENCH_GATEWAY_SYSTEMS?.split(",").map((s) => s.trim()).filter(Boolean);
const unknownSystems = selected?.filter((id) => !SYSTEMS.some((s) => s.id === id));
if (unknownSystems?.length) throw new Error(`BENCH_GATEWAY_SYSTEMS: no system ${unknownSystems.join(", ")}; expected some of ${SYSTEMS.map((s) => s.id).join(", ")}`);
const RUN_SYSTEMS = selected ? SYSTEMS.filter((s) => selected.includes(s.id)) : SYSTEMS;
const RUN_COMPARISONS = COMPARISONS.filter((c) => RUN_SYSTEMS.some((s) => s.id === c.system) && RUN_SYSTEMS.some((s) => s.id === c.baseline));

function roundSystem(system: GatewaySystem, env: Env, buildDir: string): RoundSystem<LoadResult> {
  return {
    id: system.id,
    async measure() {
      const started: BenchProcess[] = [];
      try {
        const url = await system.start(env, buildDir, started);
        const headers: Env = system.headers ? { LOAD_HEADERS: JSON.stringify(await system.headers(buildDir)) } : {};
        const load = await startBundled("gateway/load.mjs", { ...env, LOAD_URL: url, ...headers }, buildDir);
        started.push(load);
        const metrics = await load.waitFor<LoadResult>("RESULT", 60_000 + settings.seconds * 3000);
        const failed = metrics.non2xx + metrics.errors > 0;
        return { metrics, failure: failed ? `${metrics.non2xx} non-2xx responses, ${metrics.errors} errors` : undefined };
      } finally {
        for (const p of started.reverse()) await p.stop();
      }
    },
  };
}

export function runGatewayBench(): Promise<BenchReport> {
  return withNatsServer("gateway", async ({ natsUrl, buildDir }) => {
    const env = { NATS_URL: natsUrl, DURATION_S: String(settings.seconds), WARMUP_S: "1", CONNECTIONS: String(settings.inflight) };
    const systems = RUN_SYSTEMS.map((s) => roundSystem(s, env, buildDir));
    const describe = (r: LoadResult) => `${r.rps} req/s, p50 ${r.p50_us}µs p99 ${r.p99_us}µs`;
    const runs = await runRounds(systems, { bench: "gateway", describe });
    const report = roundsReport(runs, {
      bench: "gateway",
      settings: { rounds: settings.rounds, seconds: settings.seconds, connections: settings.inflight, pause_s: settings.pauseMs / 1000 },
      systems: RUN_SYSTEMS.map((s) => s.id),
      metrics: METRICS,
      comparisons: RUN_COMPARISONS,
      notes: [
        "latencies in µs; targets: fuse-gateway / moleculer-web req/s ≥ 2.00× and p99 < 1.00×",
        "authentication: a verified API key or JWT on every request costs < 10% of req/s (with … / without auth ≥ 0.90×)",
      ],
    });
    if (RUN_SYSTEMS.some((s) => s.id === "fuse-gateway")) report.notes.push(await authCostNote(runs, env, buildDir));
    return report;
  });
}

/** The authentication step measured alone, as a share of the time one request takes the Fuse gateway in these rounds. */
async function authCostNote(runs: Run<LoadResult>[], env: Env, buildDir: string): Promise<string> {
  const cost = await startBundled("gateway/auth-cost.ts", env, buildDir);
  try {
    const us = await cost.waitFor<{ none_us: number; key_us: number; jwt_us: number }>("RESULT", 120_000);
    const rates = runs.filter((r) => r.system === "fuse-gateway" && !r.failure && r.metrics).map((r) => r.metrics!.rps);
    const perRequestUs = 1e6 / Math.max(...rates, 1);
    const share = (x: number) => `${((100 * (x - us.none_us)) / perRequestUs).toFixed(2)}%`;
    return `authentication alone (one process): none ${us.none_us} µs, API key ${us.key_us} µs, JWT ${us.jwt_us} µs a request; beside ${perRequestUs.toFixed(0)} µs a request of fuse-gateway at its best round, a key adds ${share(us.key_us)} and a JWT ${share(us.jwt_us)}`;
  } finally {
    await cost.stop();
  }
}
