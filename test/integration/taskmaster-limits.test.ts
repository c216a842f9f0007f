import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunDetail, RunRecord } from "../../runtime/taskmaster/index.ts";
import { createHubDir, removeHubDir, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

const CONCURRENCY = 3;
const PER_SECOND = 10;
const config = `taskmaster:
  limits:
    lw.limited: { concurrency: ${CONCURRENCY} }
    lw.paced: { perSecond: ${PER_SECOND} }
`;
// Each run fans out 8 calls at once; 10 runs together would have 80 in flight without the limit.
const wide = {
  name: "wide",
  input: { type: "object", properties: { seed: { type: "string" } }, required: ["seed"] },
  steps: [{ id: "fan", call: "lw.limited", forEach: "[1..8]", input: "{ 'run': $input.seed, 'step': 'fan-' & $item, 'delayMs': 100 }" }],
};
const paced = {
  name: "paced",
  input: wide.input,
  steps: [{ id: "fan", call: "lw.paced", forEach: "[1..6]", input: "{ 'run': $input.seed, 'step': 'fan-' & $item }" }],
};

interface WorkerCalls {
  peak: number;
  calls: { endpoint: string; run: string; step: string; at: number }[];
}

let hub: RunningHub;
let dir: string;

beforeAll(async () => {
  dir = createHubDir({ config, actors: { lw: "lease-worker" } });
  mkdirSync(path.join(dir, "tasks"));
  for (const task of [wide, paced]) writeFileSync(path.join(dir, `tasks/${task.name}.json`), JSON.stringify(task, null, 2));
  hub = await startHub(dir);
  // Two taskmasters: the limits hold across instances, not per instance.
  const scaled = await runCli(dir, ["actors", "scale", "taskmaster", "2"]);
  expect(scaled.code, scaled.stderr).toBe(0);
  await waitFor("two taskmaster instances running", async () => (await hub.actor("taskmaster")).instances.filter((i) => i.status === "running").length === 2, 60_000);
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  if (dir) removeHubDir(dir);
}, 60_000);

async function runAll(task: string, count: number): Promise<RunDetail[]> {
  const started = await Promise.all(Array.from({ length: count }, (_, i) => hub.call<RunRecord>("taskmaster.run", { task, input: { seed: `${task}${i}` } })));
  return waitFor(`the ${task} runs to end`, async () => {
    const runs = await Promise.all(started.map((r) => hub.call<RunDetail>("taskmaster.status", { runId: r.id })));
    return runs.every((r) => r.status !== "running" && r.status !== "pending") ? runs : undefined;
  }, 120_000);
}

/** The most calls that started within any `windowMs` (by the worker's clock). */
function mostInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe("taskmaster: global limits per endpoint (fuse.yaml taskmaster.limits)", () => {
  it(`keeps ${CONCURRENCY} calls of lw.limited in flight at most, across 10 runs' fan-outs on two taskmasters`, async () => {
    const runs = await runAll("wide", 10);
    const { peak, calls } = await hub.call<WorkerCalls>("lw.calls");
    const counts = { runs: runs.length, succeeded: runs.filter((r) => r.status === "succeeded").length, calls: calls.filter((c) => c.endpoint === "limited").length, peak };
    console.log(`taskmaster-limits concurrency: ${JSON.stringify(counts)}`);
    expect(counts.succeeded).toBe(10);
    expect(counts.calls).toBe(80);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(CONCURRENCY);
  }, 180_000);

  it(`starts at most ${PER_SECOND} calls of lw.paced in any second, across 5 runs on two taskmasters`, async () => {
    const runs = await runAll("paced", 5);
    const times = (await hub.call<WorkerCalls>("lw.calls")).calls.filter((c) => c.endpoint === "paced").map((c) => c.at);
    const counts = { runs: runs.length, succeeded: runs.filter((r) => r.status === "succeeded").length, calls: times.length, mostInOneSecond: mostInWindow(times, 1000) };
    console.log(`taskmaster-limits rate: ${JSON.stringify(counts)}`);
    expect(counts.succeeded).toBe(5);
    expect(counts.calls).toBe(30);
    // Starts are granted 100 ms apart on the database's clock: 10 per second, plus the one at the
    // window's edge, plus one for the bus delivering two grants closer together than they were given.
    expect(counts.mostInOneSecond).toBeLessThanOrEqual(PER_SECOND + 2);
  }, 180_000);
});
