import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsTransport, connectNats } from "../../runtime/bus/index.ts";
import { createLogger } from "../../runtime/log/index.ts";
import { startActor, type RunningActor } from "../../runtime/sdk/internal.ts";
import { createTaskmasterActor, type RunDetail, type StepRecord } from "../../runtime/taskmaster/index.ts";
import { freshPrefix, startNats, waitFor, type NatsHarness } from "../helpers/index.ts";
import { connectBusClient, type BusClient } from "../unit/taskmaster/fixtures/bus-client.ts";
import { startSqld, type SqldHarness as SqldHandle } from "../helpers/index.ts";
import { createWorkActor } from "../unit/taskmaster/fixtures/work-actor.ts";
import { defineActor, defineEndpoint, z } from "../../runtime/sdk/index.ts";

/**
 * A meeting point for steps that should run at once: each call of `meet.gather` waits until
 * `size` calls of its group have arrived, so a group only gets through if the taskmaster has
 * them all in flight together. Records, per group, the most calls it had running at once.
 */
function createMeetActor() {
  const groups = new Map<string, { now: number; peak: number; arrived: number; open: () => void; opened: Promise<void> }>();
  const group = (name: string) => {
    let g = groups.get(name);
    if (!g) {
      let open!: () => void;
      const opened = new Promise<void>((r) => (open = r));
      g = { now: 0, peak: 0, arrived: 0, open, opened };
      groups.set(name, g);
    }
    return g;
  };
  const actor = defineActor({
    name: "meet",
    endpoints: {
      gather: defineEndpoint({
        input: z.object({ group: z.string(), size: z.number().int(), value: z.unknown() }),
        output: z.object({ value: z.unknown() }),
        handler: async ({ group: name, size, value }, ctx) => {
          const g = group(name);
          g.peak = Math.max(g.peak, ++g.now);
          if (++g.arrived === size) g.open();
          try {
            // A taskmaster that runs the group one by one leaves the first call here until its deadline.
            await Promise.race([g.opened, new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(new Error(`${name}: only ${g.arrived} of ${size} arrived`))))]);
          } finally {
            g.now--;
          }
          return { value };
        },
      }),
    },
  });
  return {
    actor,
    /** The most calls of each group running at once. */
    peaks: () => Object.fromEntries([...groups].map(([name, g]) => [name, g.peak])),
    /** Lets every waiting call through (at the end of the file). */
    release: () => groups.forEach((g) => g.open()),
  };
}

/**
 * 30 steps: a start, 8 parallel steps reading it, a join reading all 8, a serial chain of
 * 10 beside 5 order-only side steps, a fan-out, a skipped step, a failing step that may fail,
 * a final step and a tail. The steps meant to run at once meet at `meet.gather`.
 */
function thirtySteps() {
  const echo = (value: string) => `{ 'value': ${value} }`;
  // One group per run (named after its seed), so runs of the task never meet each other.
  const gather = (group: string, size: number, value: string) => `{ 'group': '${group}-' & $input.seed, 'size': ${size}, 'value': ${value} }`;
  const steps: Record<string, unknown>[] = [{ id: "start", call: "work.echo", input: echo("$input.seed") }];
  for (let i = 1; i <= 8; i++) steps.push({ id: `p${i}`, call: "meet.gather", input: gather("p", 8, `$steps.start.value + ${i}`) });
  steps.push({ id: "join", call: "work.echo", input: echo([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `$steps.p${i}.value`).join(" + ")) });
  steps.push({ id: "c1", call: "meet.gather", input: gather("c1+side", 6, "$steps.join.value + 1") });
  for (let i = 2; i <= 10; i++) steps.push({ id: `c${i}`, call: "work.echo", input: echo(`$steps.c${i - 1}.value + 1`) });
  for (let i = 1; i <= 5; i++) steps.push({ id: `side${i}`, call: "meet.gather", needs: ["join"], input: gather("c1+side", 6, `'side${i}'`) });
  steps.push({ id: "fan", call: "meet.gather", forEach: "[1..6]", input: gather("fan", 6, "$item * 2") });
  steps.push({ id: "never", call: "work.echo", when: "$steps.join.value < 0", input: echo("'never'") });
  steps.push({ id: "shaky", call: "work.fail", needs: ["start"], onError: "continue" });
  // all_done: it runs after a skipped and a failed-but-continued step (the default, all_succeeded, would skip it).
  steps.push({ id: "final", call: "work.echo", trigger: "all_done", needs: ["side1", "side2", "side3", "side4", "side5", "never", "shaky"], input: echo("$steps.c10.value + $sum($steps.fan.value)") });
  steps.push({ id: "tail", call: "work.echo", input: echo("$steps.final.value") });
  return { name: "thirty", input: { type: "object", properties: { seed: { type: "number" } }, required: ["seed"] }, steps, output: "$steps.tail.value" };
}

let nats: NatsHarness;
let sqld: SqldHandle;
let dir: string;
let prefix: string;
let client: BusClient;
const running: RunningActor[] = [];
const transports: NatsTransport[] = [];
const work = createWorkActor();
const meet = createMeetActor();

beforeAll(async () => {
  [nats, sqld] = await Promise.all([startNats(), startSqld()]);
  dir = mkdtempSync(path.join(os.tmpdir(), "fuse-taskmaster-"));
  mkdirSync(path.join(dir, "tasks"));
  writeFileSync(path.join(dir, "tasks/thirty.json"), JSON.stringify(thirtySteps(), null, 2));
  prefix = freshPrefix();
  const log = createLogger({ actor: "test", level: "silent" });
  for (const actor of [createTaskmasterActor({ hubDir: dir, dbUrl: sqld.url }), work.actor, meet.actor]) {
    const transport = new NatsTransport(await connectNats({ url: nats.url, name: actor.name }));
    transports.push(transport);
    running.push(await startActor(actor, { transport, prefix, log }));
  }
  client = await connectBusClient(nats.url, prefix);
});

afterAll(async () => {
  work.release();
  meet.release();
  await client?.close();
  for (const actor of running) await actor.stop();
  for (const transport of transports) await transport.close();
  await Promise.all([nats?.stop(), sqld?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const overlap = (a: StepRecord, b: StepRecord) => a.startedAt! < b.endedAt! && b.startedAt! < a.endedAt!;
const before = (a: StepRecord, b: StepRecord) => a.endedAt! <= b.startedAt!;

describe("taskmaster on NATS", () => {
  let run: RunDetail;
  const step = (id: string) => run.steps.find((s) => s.id === id)!;

  beforeAll(async () => {
    const { id } = await client.call<{ id: string }>("taskmaster.run", { task: "thirty", input: { seed: 1 }, wait: true });
    run = await client.call<RunDetail>("taskmaster.status", { runId: id });
  });

  it("runs a 30-step task to its output", () => {
    expect(run.status).toBe("succeeded");
    expect(run.steps).toHaveLength(30);
    // join = 8 + (1+…+8) = 44, the chain adds 10, the fan-out adds 2+4+…+12 = 42.
    expect(run.output).toBe(96);
    expect(step("never").status).toBe("skipped");
    expect(step("shaky").status).toBe("failed");
    expect(step("fan").output).toEqual([2, 4, 6, 8, 10, 12].map((value) => ({ value })));
  });

  it("runs independent steps at once, as the worker saw them and as the run records them", () => {
    expect(meet.peaks()).toMatchObject({ "p-1": 8, "c1+side-1": 6, "fan-1": 6 });
    const parallel = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => step(`p${i}`));
    for (const a of parallel) for (const b of parallel) if (a !== b) expect(overlap(a, b), `${a.id} ∥ ${b.id}`).toBe(true);
    for (let i = 1; i <= 5; i++) expect(overlap(step(`side${i}`), step("c1")), `side${i} ∥ c1`).toBe(true);
  });

  it("orders dependent steps, whether they read an output or only need the step", () => {
    for (let i = 1; i <= 8; i++) {
      expect(before(step("start"), step(`p${i}`))).toBe(true);
      expect(before(step(`p${i}`), step("join"))).toBe(true);
    }
    for (let i = 2; i <= 10; i++) expect(before(step(`c${i - 1}`), step(`c${i}`)), `c${i - 1} → c${i}`).toBe(true);
    for (let i = 1; i <= 5; i++) expect(before(step("join"), step(`side${i}`))).toBe(true);
    for (const id of ["c10", "fan", "side1", "side5", "shaky"]) expect(before(step(id), step("final")), `${id} → final`).toBe(true);
    expect(before(step("final"), step("tail"))).toBe(true);
  });

  it("persists the run and every step that ran in the database", async () => {
    const db = createClient({ url: sqld.url });
    try {
      const runs = await db.execute({ sql: "SELECT status, output FROM fuse_task_runs WHERE id = ?", args: [run.id] });
      expect(runs.rows[0]).toMatchObject({ status: "succeeded", output: "96" });
      const steps = await db.execute({ sql: "SELECT status, COUNT(*) AS n FROM fuse_task_steps WHERE run_id = ? GROUP BY status ORDER BY status", args: [run.id] });
      expect(steps.rows.map((r) => [r.status, Number(r.n)])).toEqual([["failed", 1], ["skipped", 1], ["succeeded", 28]]);
    } finally {
      db.close();
    }
  });

  it("lists runs by task and status", async () => {
    const { runs } = await client.call<{ runs: { id: string }[] }>("taskmaster.runs", { task: "thirty", status: "succeeded" });
    expect(runs.map((r) => r.id)).toContain(run.id);
    const none = await client.call<{ runs: unknown[] }>("taskmaster.runs", { task: "thirty", status: "failed" });
    expect(none.runs).toEqual([]);
  });

  it("returns immediately with a run id when not asked to wait", async () => {
    const started = await client.call<RunDetail>("taskmaster.run", { task: "thirty", input: { seed: 2 } });
    expect(["pending", "running"]).toContain(started.status);
    const done = await waitFor("the run to end", async () => {
      const r = await client.call<RunDetail>("taskmaster.status", { runId: started.id });
      return r.status === "succeeded" ? r : undefined;
    });
    expect(done.output).toBe(104);
  });
});
