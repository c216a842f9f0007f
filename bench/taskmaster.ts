// Orchestration overhead of the taskmaster: a task run against calling the same endpoints
// directly, in the same order, from an actor with ctx.call. The taskmaster and the worker
// run as their own processes (as under `fuse up`), with runs persisted in a real sqld.
// Direct and task runs are interleaved per iteration to cancel drift on a noisy machine.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { NatsTransport, connectNats } from "../runtime/bus/index.ts";
import { startNatsServer } from "../runtime/hub/index.ts";
import { createLogger } from "../runtime/log/index.ts";
import { ProcessEnv } from "../runtime/protocol/index.ts";
import { defineActor, startActor, type ActorContext } from "../runtime/sdk/index.ts";
import { BENCH_DIR, startScript, type BenchProcess } from "./lib/processes.ts";
import { median } from "./lib/stats.ts";
import { startSqld } from "../runtime/hub/services/sqld.ts";

const WIDTH = 30;
const ITERATIONS = Number(process.env.BENCH_TASK_ITERATIONS ?? 40);
const WARMUP = 5;
const RATE_MS = Number(process.env.BENCH_TASK_RATE_MS ?? 3000);
const RATE_INFLIGHT = 16;

const echo = (id: string, input: string) => ({ id, call: "tmwork.echo", input });
const TASKS = {
  chain: { name: "chain", steps: Array.from({ length: WIDTH }, (_, i) => echo(`s${i}`, i ? `{ 'n': $steps.s${i - 1}.n + 1 }` : "{ 'n': 0 }")) },
  wide: { name: "wide", steps: Array.from({ length: WIDTH }, (_, i) => echo(`p${i}`, `{ 'n': ${i} }`)) },
  three: { name: "three", steps: [echo("a", "{ 'n': 1 }"), echo("b", "{ 'n': $steps.a.n + 1 }"), echo("c", "{ 'n': $steps.b.n + 1 }")] },
};

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function rate(fn: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const end = performance.now() + RATE_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: RATE_INFLIGHT }, async () => {
      while (performance.now() < end) {
        await fn();
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

export async function runTaskmasterBench() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-bench-tasks-"));
  mkdirSync(path.join(dir, "tasks"));
  for (const task of Object.values(TASKS)) writeFileSync(path.join(dir, "tasks", `${task.name}.json`), JSON.stringify(task));
  const [nats, sqld] = await Promise.all([startNatsServer({ dir }), startSqld({ dir: path.join(dir, "sqld") })]);
  const prefix = "tmbench";
  const env = { [ProcessEnv.natsUrl]: nats.url, [ProcessEnv.prefix]: prefix, [ProcessEnv.logLevel]: "info" };
  const processes: BenchProcess[] = [];
  const spawnActor = async (name: string, module: string, extra: Record<string, string> = {}) => {
    const p = startScript("../runtime/sdk/process/actor-process.ts", { ...env, ...extra, [ProcessEnv.actor]: name, [ProcessEnv.module]: module });
    processes.push(p);
    await p.waitForLine(/"msg":"actor started"/);
  };
  let ctx!: ActorContext;
  const transport = new NatsTransport(await connectNats({ url: nats.url, name: "bench-client" }));
  const client = await startActor(defineActor({ name: "bench-client", endpoints: {}, start: (c) => void (ctx = c) }), {
    transport,
    prefix,
    log: createLogger({ actor: "bench-client", level: "warn" }),
  });
  try {
    await spawnActor("tmwork", path.join(BENCH_DIR, "taskmaster-worker.ts"));
    await spawnActor("taskmaster", path.join(BENCH_DIR, "../runtime/taskmaster/actor.ts"), {
      [ProcessEnv.hubDir]: dir,
      [ProcessEnv.dbUrl]: sqld.url,
    });
    const runTask = async (task: string) => {
      const run = await ctx.call<{ status: string }>("taskmaster.run", { task, wait: true }, { timeout: 60_000 });
      if (run.status !== "succeeded") throw new Error(`bench task ${task} ended ${run.status}`);
    };
    const direct = {
      chain: async () => {
        let n = 0;
        for (let i = 0; i < WIDTH; i++) n = (await ctx.call<{ n: number }>("tmwork.echo", { n: i ? n + 1 : 0 })).n;
      },
      wide: () => Promise.all(Array.from({ length: WIDTH }, (_, i) => ctx.call("tmwork.echo", { n: i }))),
      three: async () => {
        let n = 1;
        for (let i = 0; i < 3; i++) n = (await ctx.call<{ n: number }>("tmwork.echo", { n: i ? n + 1 : 1 })).n;
      },
    };
    const rows: Record<string, string | number>[] = [];
    const summary: string[] = [];
    for (const shape of ["chain", "wide"] as const) {
      const d: number[] = [];
      const t: number[] = [];
      for (let i = 0; i < WARMUP + ITERATIONS; i++) {
        const pair = i % 2 === 0 ? [direct[shape], () => runTask(shape)] : [() => runTask(shape), direct[shape]];
        const [first, second] = [await time(pair[0]!), await time(pair[1]!)];
        if (i < WARMUP) continue;
        (i % 2 === 0 ? d : t).push(first);
        (i % 2 === 0 ? t : d).push(second);
      }
      const perStep = (median(t) - median(d)) / WIDTH;
      rows.push({ case: `${WIDTH}-step ${shape === "chain" ? "chain" : "fan-out"}`, direct_ms: +median(d).toFixed(2), task_ms: +median(t).toFixed(2), overhead_per_step_ms: +perStep.toFixed(3), ratio: +(median(t) / median(d)).toFixed(2) });
      summary.push(`${WIDTH}-step ${shape === "chain" ? "chain" : "30-wide fan-out"}: median ${median(t).toFixed(1)} ms as a task vs ${median(d).toFixed(1)} ms direct → ${perStep.toFixed(3)} ms overhead per step (target ≤ 1 ms), ${(median(t) / median(d)).toFixed(2)}×`);
    }
    const directRate = await rate(direct.three);
    const taskRate = await rate(() => runTask("three"));
    rows.push({ case: "3-step task, runs/s", direct_ms: +directRate.toFixed(0), task_ms: +taskRate.toFixed(0), overhead_per_step_ms: +((1000 / taskRate - 1000 / directRate) * RATE_INFLIGHT / 3).toFixed(3), ratio: +(directRate / taskRate).toFixed(2) });
    summary.push(`3-step task: ${taskRate.toFixed(0)} runs/s (${RATE_INFLIGHT} in flight, persisted in sqld) vs ${directRate.toFixed(0)} direct 3-call sequences/s, ${(taskRate / directRate).toFixed(2)}×`);
    return { rows, summary };
  } finally {
    await client.stop();
    await transport.close();
    for (const p of processes) await p.stop();
    await Promise.all([sqld.stop(), nats.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
