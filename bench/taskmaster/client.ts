// The taskmaster bench's client, an actor run as the hub runs actors: from its start hook it
// times task runs against calling the same endpoints directly, in the same order, with
// ctx.call, interleaving the two per iteration to cancel drift on a noisy machine, and prints
// the medians. Shapes and sizes come from the orchestrator (bench/taskmaster.ts).
import { defineActor, type ActorContext } from "../../runtime/sdk/index.ts";
import { emit } from "../lib/driver.ts";
import { median } from "../lib/stats.ts";

const WIDTH = Number(process.env.BENCH_TASK_WIDTH);
const ITERATIONS = Number(process.env.BENCH_TASK_ITERATIONS);
const WARMUP = 5;
const RATE_MS = Number(process.env.BENCH_TASK_RATE_MS);
const RATE_INFLIGHT = Number(process.env.BENCH_TASK_INFLIGHT ?? 16);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Completions per second of `fn` with `inflight` loops for RATE_MS. */
async function rate(fn: () => Promise<unknown>, inflight = RATE_INFLIGHT): Promise<number> {
  let done = 0;
  const started = performance.now();
  const end = started + RATE_MS;
  const loop = async () => {
    for (; performance.now() < end; done++) await fn();
  };
  await Promise.all(Array.from({ length: inflight }, loop));
  return done / ((performance.now() - started) / 1000);
}

/** Median ms of `direct` and of `task`, alternating which goes first. */
async function paired(direct: () => Promise<unknown>, task: () => Promise<unknown>): Promise<{ directMs: number; taskMs: number }> {
  const d: number[] = [];
  const t: number[] = [];
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const directFirst = i % 2 === 0;
    const first = await time(directFirst ? direct : task);
    const second = await time(directFirst ? task : direct);
    if (i < WARMUP) continue;
    (directFirst ? d : t).push(first);
    (directFirst ? t : d).push(second);
  }
  return { directMs: median(d), taskMs: median(t) };
}

async function measure(ctx: ActorContext) {
  const echo = (n: number) => ctx.call<{ n: number }>("tmwork.echo", { n });
  const runTask = async (task: string) => {
    const run = await ctx.call<{ status: string }>("taskmaster.run", { task, wait: true }, { timeout: 60_000 });
    if (run.status !== "succeeded") throw new Error(`bench task ${task} ended ${run.status}`);
  };
  const chainOf = (length: number, first: number) => async () => {
    let n = first;
    for (let i = 0; i < length; i++) n = (await echo(i ? n + 1 : first)).n;
  };
  return {
    chain: await paired(chainOf(WIDTH, 0), () => runTask("chain")),
    wide: await paired(() => Promise.all(Array.from({ length: WIDTH }, (_, i) => echo(i))), () => runTask("wide")),
    // One forEach step with WIDTH items: the fan-out as a workflow author writes it.
    fan: await paired(() => Promise.all(Array.from({ length: WIDTH }, (_, i) => echo(i))), () => runTask("fan")),
    // The wait step's cost: WAITS chained zero-length timers (each stored, then fired) before one call, against the call alone.
    waits: await paired(() => runTask("one"), () => runTask("waits")),
    threeDirectPerS: await rate(chainOf(3, 1)),
    threeTaskPerS: await rate(() => runTask("three")),
    threeDirectPerS64: await rate(chainOf(3, 1), 64),
    threeTaskPerS64: await rate(() => runTask("three"), 64),
  };
}

export type TaskmasterMeasurement = Awaited<ReturnType<typeof measure>>;

export default defineActor({
  name: "tmclient",
  endpoints: {},
  start: (ctx) => {
    // Not awaited: the process reports itself started, then the measurement begins.
    void measure(ctx).then(
      (result) => emit("RESULT", result),
      (error: Error) => emit("FAILED", error.message),
    );
  },
});
