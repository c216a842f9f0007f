// Orchestration overhead of the taskmaster: a task run against calling the same endpoints
// directly, in the same order, from an actor with ctx.call. The worker, the taskmaster and
// the client run as the hub runs actors (bundled, their own processes), runs persisted in a
// real sqld. The timing itself happens in the client (bench/taskmaster/client.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ProcessEnv } from "../runtime/protocol/index.ts";
import { ready, startActorBundle, type BenchProcess } from "./lib/processes.ts";
import type { RatioRow } from "./lib/ratios.ts";
import type { BenchReport } from "./lib/report.ts";
import { envNumber } from "./lib/settings.ts";
import { startBenchSqld } from "./lib/sqld.ts";
import { actorEnv, withNatsServer } from "./lib/with-nats.ts";
import type { TaskmasterMeasurement } from "./taskmaster/client.ts";

const WIDTH = 30;
const ITERATIONS = Math.round(envNumber("BENCH_TASK_ITERATIONS", 40, 1));
const RATE_MS = envNumber("BENCH_TASK_RATE_MS", 3000);
const WAITS = 10;

const echo = (id: string, input: string) => ({ id, call: "tmwork.echo", input });
const TASKS = {
  chain: { name: "chain", steps: Array.from({ length: WIDTH }, (_, i) => echo(`s${i}`, i ? `{ 'n': $steps.s${i - 1}.n + 1 }` : "{ 'n': 0 }")) },
  wide: { name: "wide", steps: Array.from({ length: WIDTH }, (_, i) => echo(`p${i}`, `{ 'n': ${i} }`)) },
  three: { name: "three", steps: [echo("a", "{ 'n': 1 }"), echo("b", "{ 'n': $steps.a.n + 1 }"), echo("c", "{ 'n': $steps.b.n + 1 }")] },
  fan: { name: "fan", steps: [{ id: "each", call: "tmwork.echo", forEach: `[0..${WIDTH - 1}]`, input: "{ 'n': $item }" }] },
  one: { name: "one", steps: [echo("only", "{ 'n': 1 }")] },
  waits: {
    name: "waits",
    steps: [
      ...Array.from({ length: WAITS }, (_, i) => ({ id: `w${i}`, wait: { ms: 0 }, ...(i ? { needs: [`w${i - 1}`] } : {}) })),
      { ...echo("only", "{ 'n': 1 }"), needs: [`w${WAITS - 1}`] },
    ],
  },
};

const single = (comparison: string, metric: string, ratio: number): RatioRow => ({ comparison, metric, ratio, low: ratio, high: ratio, rounds: 1 });

function report(m: TaskmasterMeasurement): BenchReport {
  const shape = (name: string, r: { directMs: number; taskMs: number }) => ({
    case: `${name}, median ms`,
    direct: +r.directMs.toFixed(2),
    task: +r.taskMs.toFixed(2),
    overhead_per_step_ms: +((r.taskMs - r.directMs) / WIDTH).toFixed(3),
  });
  return {
    bench: "taskmaster",
    settings: { iterations: ITERATIONS, width: WIDTH, rate_s: RATE_MS / 1000 },
    systems: [
      shape(`${WIDTH}-step chain`, m.chain),
      shape(`${WIDTH} parallel steps`, m.wide),
      shape(`${WIDTH}-item forEach fan-out`, m.fan),
      {
        case: `wait step (${WAITS} zero-ms timers, stored and fired), median ms`,
        one_call_task: +m.waits.directMs.toFixed(2),
        with_waits: +m.waits.taskMs.toFixed(2),
        per_wait_ms: +((m.waits.taskMs - m.waits.directMs) / WAITS).toFixed(3),
      },
      { case: "3-step, runs/s, 16 in flight", direct: Math.round(m.threeDirectPerS), task: Math.round(m.threeTaskPerS) },
      { case: "3-step, runs/s, 64 in flight", direct: Math.round(m.threeDirectPerS64), task: Math.round(m.threeTaskPerS64) },
    ],
    ratios: [
      single("task / direct calls", `${WIDTH}-step chain, ms`, m.chain.taskMs / m.chain.directMs),
      single("task / direct calls", `${WIDTH} parallel steps, ms`, m.wide.taskMs / m.wide.directMs),
      single("task / direct calls", `${WIDTH}-item forEach, ms`, m.fan.taskMs / m.fan.directMs),
      single("task / direct calls", "3-step, runs/s (16 in flight)", m.threeTaskPerS / m.threeDirectPerS),
      single("task / direct calls", "3-step, runs/s (64 in flight)", m.threeTaskPerS64 / m.threeDirectPerS64),
    ],
    failures: [],
    notes: [
      "medians over iterations, direct and task interleaved; targets (issue 16): ≤ 0.5 ms overhead per step, ≥ 1,000 runs/s of the 3-step task, every run persisted",
      "a task run is called with taskmaster.run { wait: true }: one request per run, answered once the run has ended and its end is written",
    ],
  };
}

export function runTaskmasterBench(): Promise<BenchReport> {
  return withNatsServer("tasks", async ({ natsUrl, dir, buildDir }) => {
    mkdirSync(path.join(dir, "tasks"));
    for (const task of Object.values(TASKS)) writeFileSync(path.join(dir, "tasks", `${task.name}.json`), JSON.stringify(task));
    const sqld = await startBenchSqld(path.join(dir, "sqld"));
    const started: BenchProcess[] = [];
    // sqld over its WebSocket, as the hub gives it to every actor (the taskmaster included); over
    // HTTP each batch of run records would cost a request of its own.
    const env = { [ProcessEnv.prefix]: "tmbench", [ProcessEnv.hubDir]: dir, [ProcessEnv.dbUrl]: sqld.url.replace(/^http:/, "ws:") };
    const spawnActor = async (name: string, module: string, extra: Record<string, string> = {}) => {
      started.push(await ready(startActorBundle(name, module, actorEnv(name, natsUrl, { ...env, ...extra }), buildDir), /"msg":"actor started"/));
      return started.at(-1)!;
    };
    try {
      await spawnActor("tmwork", "taskmaster/worker.ts");
      await spawnActor("taskmaster", "../runtime/taskmaster/actor.ts");
      const clientEnv = { BENCH_TASK_WIDTH: String(WIDTH), BENCH_TASK_ITERATIONS: String(ITERATIONS), BENCH_TASK_RATE_MS: String(RATE_MS) };
      const client = await spawnActor("tmclient", "taskmaster/client.ts", clientEnv);
      const line = await client.waitForLine(/^(RESULT|FAILED) /, 900_000);
      if (line.startsWith("FAILED")) throw new Error(`taskmaster bench: ${client.tagged<string>("FAILED")}`);
      return report(client.tagged<TaskmasterMeasurement>("RESULT")!);
    } finally {
      for (const p of started.reverse()) await p.stop();
      await sqld.stop();
    }
  });
}
