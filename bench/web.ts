// Static files: the Fuse gateway serving a frontend folder (`web` in fuse.yaml) against plain
// Hono serving the same folder with @hono/node-server's serveStatic. Same files, same client
// (autocannon in its own process, cycling through the files), each system measured in every
// round. The client asks for no compression (serveStatic compresses nothing on the fly), so
// both send the same bytes; `fuse-web+br` shows the gateway with a client that accepts brotli.
// BENCH_WEB_SYSTEMS=fuse-web,hono-serve-static runs a subset.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ProcessEnv } from "../runtime/protocol/index.ts";
import { ready, startActorBundle, startBundled, type BenchProcess } from "./lib/processes.ts";
import { roundsReport, type Comparison, type Metric } from "./lib/ratios.ts";
import type { BenchReport } from "./lib/report.ts";
import { runRounds, type RoundSystem } from "./lib/rounds.ts";
import { settings } from "./lib/settings.ts";
import { actorEnv, withNatsServer } from "./lib/with-nats.ts";

type Env = Record<string, string>;

interface LoadResult {
  rps: number;
  mbps: number;
  p50_us: number;
  p99_us: number;
  non2xx: number;
  errors: number;
}

/** A small frontend: a page, a hashed script, a stylesheet and an image; deterministic bytes. */
function writeSite(dir: string): { paths: string[]; sizes: number[] } {
  mkdirSync(dir, { recursive: true });
  const script = Array.from({ length: 1500 }, (_, i) => `export const value${i} = ${i} * 2; // line ${i}`).join("\n");
  const image = Buffer.alloc(6 * 1024);
  for (let i = 0; i < image.length; i++) image[i] = (i * 7919) % 256;
  const files: Record<string, string | Buffer> = {
    "index.html": `<!doctype html><html><head><title>bench</title><link rel="stylesheet" href="/style.css"></head><body>${"<p>static page</p>".repeat(100)}<script src="/app.3f2a1b9c.js"></script></body></html>`,
    "app.3f2a1b9c.js": script,
    "style.css": Array.from({ length: 300 }, (_, i) => `.c${i} { margin: ${i}px; }`).join("\n"),
    "logo.png": image,
  };
  for (const [name, body] of Object.entries(files)) writeFileSync(path.join(dir, name), body);
  return { paths: Object.keys(files).map((name) => `/${name}`), sizes: Object.values(files).map((b) => Buffer.byteLength(b)) };
}

interface WebSystem {
  id: string;
  start(env: Env, started: BenchProcess[]): Promise<string>;
  headers?: Env;
}

function honoStatic(buildDir: string, siteDir: string): WebSystem {
  return {
    id: "hono-serve-static",
    start: async (env, started) => {
      const server = await ready(startBundled("web/hono-static.ts", { ...env, SITE_DIR: siteDir }, buildDir), /^READY /);
      started.push(server);
      return (JSON.parse(server.lines.find((l) => l.startsWith("READY "))!.slice(6)) as { url: string }).url;
    },
  };
}

function fuseWeb(id: string, buildDir: string, hubDir: string, headers?: Env): WebSystem {
  return {
    id,
    ...(headers ? { headers } : {}),
    start: async (env, started) => {
      const gatewayEnv = { ...env, ...actorEnv("gateway", env.NATS_URL!, { [ProcessEnv.prefix]: "bench", [ProcessEnv.hubDir]: hubDir }) };
      const gateway = await ready(startActorBundle("gateway", "../runtime/gateway/actor.ts", gatewayEnv, buildDir), /"msg":"gateway listening"/);
      started.push(gateway);
      return (JSON.parse(gateway.lines.find((l) => l.includes('"msg":"gateway listening"'))!) as { url: string }).url;
    },
  };
}

const METRICS: Metric<LoadResult>[] = [
  { name: "req/s", value: (r) => r.rps },
  { name: "MB/s", value: (r) => r.mbps },
  { name: "p50", value: (r) => r.p50_us },
  { name: "p99", value: (r) => r.p99_us },
];

const COMPARISONS: Comparison[] = [
  { label: "fuse-web / hono-serve-static", system: "fuse-web", baseline: "hono-serve-static" },
  { label: "fuse-web+br / hono-serve-static", system: "fuse-web+br", baseline: "hono-serve-static" },
];

function roundSystem(system: WebSystem, env: Env, buildDir: string, site: { paths: string[]; sizes: number[] }): RoundSystem<LoadResult> {
  return {
    id: system.id,
    async measure() {
      const started: BenchProcess[] = [];
      try {
        const url = await system.start(env, started);
        const loadEnv = { ...env, LOAD_URL: url, LOAD_PATHS: JSON.stringify(site.paths), LOAD_SIZES: JSON.stringify(site.sizes), ...(system.headers ? { LOAD_HEADERS: JSON.stringify(system.headers) } : {}) };
        const load = await startBundled("web/load-static.mjs", loadEnv, buildDir);
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

export function runWebBench(): Promise<BenchReport> {
  return withNatsServer("web", async ({ natsUrl, dir, buildDir }) => {
    const hubDir = path.join(dir, "hub");
    const site = writeSite(path.join(hubDir, "site"));
    mkdirSync(path.join(hubDir, "config"), { recursive: true });
    writeFileSync(path.join(hubDir, "config", "fuse.yaml"), 'web:\n  "/": site\n');
    const all = [honoStatic(buildDir, path.join(hubDir, "site")), fuseWeb("fuse-web", buildDir, hubDir), fuseWeb("fuse-web+br", buildDir, hubDir, { "accept-encoding": "br, gzip" })];
    const selected = process.env.BENCH_WEB_SYSTEMS?.split(",").map((s) => s.trim()).filter(Boolean);
    const unknown = selected?.filter((id) => !all.some((s) => s.id === id));
    if (unknown?.length) throw new Error(`BENCH_WEB_SYSTEMS: no system ${unknown.join(", ")}; expected some of ${all.map((s) => s.id).join(", ")}`);
    const systems = selected ? all.filter((s) => selected.includes(s.id)) : all;
    const env = { NATS_URL: natsUrl, DURATION_S: String(settings.seconds), WARMUP_S: "1", CONNECTIONS: String(settings.inflight) };
    const describe = (r: LoadResult) => `${r.rps} req/s, ${r.mbps} MB/s, p50 ${r.p50_us}µs p99 ${r.p99_us}µs`;
    const runs = await runRounds(systems.map((s) => roundSystem(s, env, buildDir, site)), { bench: "web", describe });
    return roundsReport(runs, {
      bench: "web",
      settings: { rounds: settings.rounds, seconds: settings.seconds, connections: settings.inflight, pause_s: settings.pauseMs / 1000, files: site.paths.length },
      systems: systems.map((s) => s.id),
      metrics: METRICS,
      comparisons: COMPARISONS.filter((c) => systems.some((s) => s.id === c.system) && systems.some((s) => s.id === c.baseline)),
      notes: [
        `files: ${site.paths.map((p, i) => `${p} ${site.sizes[i]} B`).join(", ")}, requested in turn; latencies in µs`,
        "target: fuse-web / hono-serve-static req/s ≥ 0.90× (both send the same bytes: the client asks for no compression)",
        "fuse-web+br: the same gateway to a client that accepts brotli (fewer bytes, compressed once per file version)",
      ],
    });
  });
}
