// Time from `fuse up` to a ready hub for the demo hub (config/ + actors/ of this repository,
// copied to a temporary folder so a hub running here is not disturbed).
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BENCH_DIR } from "./lib/processes.ts";
import { median } from "./lib/stats.ts";

const REPO = path.resolve(BENCH_DIR, "..");
const FUSE = path.join(REPO, "bin/fuse.mjs");
const SDK_IMPORT = /(["'])(\.\.\/)+runtime\/sdk\/index\.ts\1/g;

function copyDemoHub(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-startup-"));
  for (const sub of ["config", "actors", "schemas", "tasks"]) {
    try {
      cpSync(path.join(REPO, sub), path.join(dir, sub), { recursive: true });
    } catch {
      // optional folder
    }
  }
  // The demo actors import the SDK by a relative path; point it back at this repository.
  for (const actor of readdirSync(path.join(dir, "actors"))) {
    for (const file of readdirSync(path.join(dir, "actors", actor)).filter((f) => f.endsWith(".ts"))) {
      const full = path.join(dir, "actors", actor, file);
      writeFileSync(full, readFileSync(full, "utf8").replace(SDK_IMPORT, `"${path.join(REPO, "runtime/sdk/index.ts")}"`));
    }
  }
  return dir;
}

function upOnce(dir: string): Promise<{ wallMs: number; readyMs: number }> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn(process.execPath, [FUSE, "up", "--quiet"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    let wallMs = 0;
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const match = /Fuse hub ready in (\d+) ms/.exec(out);
      if (match && !wallMs) {
        wallMs = Math.round(performance.now() - began);
        const state = JSON.parse(readFileSync(path.join(dir, ".fuse/state.json"), "utf8")) as { servicePids: number[] };
        child.once("exit", () => {
          // Whatever happened to the hub, the servers it started must not outlive the bench.
          for (const pid of state.servicePids) {
            try {
              process.kill(pid, "SIGKILL");
            } catch {
              // already gone, as it should be
            }
          }
        });
        child.kill("SIGTERM");
        child.once("exit", (code) => (code === 0 ? resolve({ wallMs, readyMs: Number(match[1]) }) : reject(new Error(`fuse up exited ${code}: ${out.slice(-1500)}`))));
      }
    });
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`fuse up not ready within 60 s: ${out.slice(-2000)}`));
    }, 60_000).unref();
  });
}

export async function runStartupBench(runs = Number(process.env.BENCH_STARTUP_RUNS ?? 3)) {
  const dir = copyDemoHub();
  const results: { wallMs: number; readyMs: number }[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      results.push(await upOnce(dir));
      process.stderr.write(`  startup run ${i + 1}: ${results.at(-1)!.wallMs} ms from spawn, ${results.at(-1)!.readyMs} ms inside the hub\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const wall = median(results.map((r) => r.wallMs));
  const inside = median(results.map((r) => r.readyMs));
  return {
    rows: [{ system: "fuse up (demo hub)", median_ms_from_spawn: wall, median_ms_inside_hub: inside, runs }],
    summary: [`fuse up → ready, demo hub: ${wall} ms from spawn (${inside} ms inside the hub) (target ≤ 2000 ms)`],
  };
}
