// Time from `fuse up` to a ready hub for the demo hub (config/ + actors/ of this repository),
// cold and warm. Cold: a fresh copy of Fuse with no compiled bundles (the CLI's, the actors')
// and tsx's cache off, so as the first run after `npm install`; warm: `fuse up` again in the
// same folder, with every bundle compiled. The OS's file cache stays warm in both: dropping
// it needs root and would slow everything else on the machine.
import path from "node:path";
import { copyDemoHub, freshInstall } from "./lib/fresh-install.ts";
import { startHubProcess } from "./lib/hub-process.ts";
import { removeTempDir } from "./lib/processes.ts";
import { roundsReport, type Metric } from "./lib/ratios.ts";
import type { BenchReport } from "./lib/report.ts";
import type { Run } from "./lib/rounds.ts";
import { envNumber, settings } from "./lib/settings.ts";

interface StartupResult {
  wallMs: number;
  readyMs: number;
}

const METRICS: Metric<StartupResult>[] = [
  { name: "ms from spawn to ready", value: (r) => r.wallMs },
  { name: "ms inside the hub", value: (r) => r.readyMs },
];

async function upOnce(hubDir: string, fuse: string, env: Record<string, string>): Promise<StartupResult> {
  const hub = await startHubProcess(hubDir, { fuse, env });
  await hub.stop();
  return { wallMs: hub.wallMs, readyMs: hub.readyMs };
}

async function measure(system: string, round: number, up: () => Promise<StartupResult>): Promise<Run<StartupResult>> {
  try {
    const metrics = await up();
    process.stderr.write(`  startup run ${round + 1} ${system}: ${metrics.wallMs} ms from spawn, ${metrics.readyMs} ms inside the hub\n`);
    return { system, round, metrics };
  } catch (error) {
    return { system, round, failure: (error as Error).message.slice(0, 300) };
  }
}

export async function runStartupBench(): Promise<BenchReport> {
  const runs: Run<StartupResult>[] = [];
  const rounds = Math.round(envNumber("BENCH_STARTUP_RUNS", 3, 1));
  for (let round = 0; round < rounds; round++) {
    const install = freshInstall();
    const hubDir = copyDemoHub(install);
    const fuse = path.join(install, "bin/fuse.mjs");
    try {
      runs.push(await measure("cold", round, () => upOnce(hubDir, fuse, { TSX_DISABLE_CACHE: "1" })));
      await new Promise((r) => setTimeout(r, settings.pauseMs));
      runs.push(await measure("warm", round, () => upOnce(hubDir, fuse, {})));
    } finally {
      removeTempDir(hubDir);
      removeTempDir(install);
    }
  }
  return roundsReport(runs, {
    bench: "startup",
    settings: { runs: rounds, hub: "demo (config/, actors/)" },
    systems: ["cold", "warm"],
    metrics: METRICS,
    comparisons: [{ label: "cold / warm", system: "cold", baseline: "warm" }],
    notes: ["target: warm ≤ 2000 ms from spawn to ready"],
  });
}
