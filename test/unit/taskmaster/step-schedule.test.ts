import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../helpers/index.ts";
import { parseTask, type RunDetail, type StepRecord } from "../../../runtime/taskmaster/index.ts";
import { createStepSchedule, decideSteps } from "../../../runtime/taskmaster/run/step-schedule.ts";
import { startTaskHub, type TaskHub } from "./fixtures/task-hub.ts";

const WIDTH = 30;
const chainTask = {
  name: "chain",
  steps: Array.from({ length: WIDTH }, (_, i) => ({ id: `s${i}`, call: "work.echo", ...(i ? { input: `{ 'value': $steps.s${i - 1}.value + 1 }` } : { input: "{ 'value': 0 }" }) })),
  output: `$steps.s${WIDTH - 1}.value`,
};
// 30 independent steps, then one step that needs them all.
const fanTask = {
  name: "fan",
  steps: [
    ...Array.from({ length: WIDTH }, (_, i) => ({ id: `p${i}`, call: "work.echo", input: `{ 'value': ${i} }` })),
    { id: "join", call: "work.echo", needs: Array.from({ length: WIDTH }, (_, i) => `p${i}`) },
  ],
};

const records = (ids: string[], status: StepRecord["status"] = "pending") => Object.fromEntries(ids.map((id) => [id, { id, status, attempts: 0 }]));

describe("step schedule (which steps start when one settles)", () => {
  it("on a 30-step chain starts only the step after the one that settled", () => {
    const task = parseTask(chainTask, { file: "tasks/chain.json" });
    const schedule = createStepSchedule(task);
    const steps = records(task.steps.map((s) => s.id));
    expect(decideSteps(schedule, steps, task.steps.map((s) => s.id))).toEqual({ run: ["s0"], skip: [] });
    for (let i = 0; i < 12; i++) steps[`s${i}`]!.status = "succeeded";
    expect(decideSteps(schedule, steps, schedule.dependents.get("s11")!)).toEqual({ run: ["s12"], skip: [] });
    // s13's prerequisite s12 has not settled: nothing starts, whatever is looked at.
    expect(decideSteps(schedule, steps, task.steps.map((s) => s.id).slice(13))).toEqual({ run: [], skip: [] });
  });

  it("on a 30-wide fan-out starts every branch at once and the join only after the last branch", () => {
    const task = parseTask(fanTask, { file: "tasks/fan.json" });
    const schedule = createStepSchedule(task);
    const ids = task.steps.map((s) => s.id);
    const steps = records(ids);
    expect(decideSteps(schedule, steps, ids).run).toEqual(ids.slice(0, WIDTH));
    for (let i = 0; i < WIDTH - 1; i++) {
      steps[`p${i}`]!.status = "succeeded";
      expect(decideSteps(schedule, steps, schedule.dependents.get(`p${i}`)!).run).toEqual([]);
    }
    steps[`p${WIDTH - 1}`]!.status = "succeeded";
    expect(decideSteps(schedule, steps, schedule.dependents.get(`p${WIDTH - 1}`)!)).toEqual({ run: ["join"], skip: [] });
  });

  it("skips down a chain in one pass when a step's trigger rule says no", () => {
    const task = parseTask(chainTask, { file: "tasks/chain.json" });
    const schedule = createStepSchedule(task);
    const steps = records(task.steps.map((s) => s.id));
    steps.s0!.status = "skipped";
    const { run, skip } = decideSteps(schedule, steps, schedule.dependents.get("s0")!);
    expect(run).toEqual([]);
    expect(skip).toEqual(task.steps.map((s) => s.id).slice(1));
  });

  it("does not start a step that runs or has settled already", () => {
    const task = parseTask(fanTask, { file: "tasks/fan.json" });
    const schedule = createStepSchedule(task);
    const ids = task.steps.map((s) => s.id);
    const steps = { ...records(ids.slice(0, 10), "running"), ...records(ids.slice(10, WIDTH), "succeeded"), ...records(["join"]) };
    expect(decideSteps(schedule, steps, ids)).toEqual({ run: [], skip: [] });
  });
});

describe("a run's steps start as their prerequisites settle", () => {
  let current: TaskHub | undefined;
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });

  const step = (run: RunDetail, id: string) => run.steps.find((s) => s.id === id)!;

  it("runs a 30-step chain one step after another, each once, with the previous step's output", async () => {
    current = await startTaskHub({ chain: chainTask });
    const run = await current.run("chain");
    expect(run.status).toBe("succeeded");
    expect(run.output).toBe(WIDTH - 1);
    const calls = current.work.callsOf("echo");
    expect(calls.map((c) => (c.input as { value: number }).value)).toEqual(Array.from({ length: WIDTH }, (_, i) => i));
    for (let i = 1; i < WIDTH; i++) expect(step(run, `s${i}`).startedAt!).toBeGreaterThanOrEqual(step(run, `s${i - 1}`).endedAt!);
  });

  it("holds the join of a 30-wide fan-out while one branch is in flight, and runs it once that branch ends", async () => {
    const task = { ...fanTask, steps: fanTask.steps.map((s) => (s.id === "p7" ? { id: "p7", call: "work.hang" } : s)) };
    current = await startTaskHub({ fan: task });
    const t = current;
    const { id } = await t.hub.call<{ id: string }>("taskmaster.run", { task: "fan" });
    await waitFor("every other branch to succeed", async () => {
      const run = await t.hub.call<RunDetail>("taskmaster.status", { runId: id });
      return run.steps.filter((s) => s.status === "succeeded").length === WIDTH - 1;
    });
    const held = await t.hub.call<RunDetail>("taskmaster.status", { runId: id });
    expect(step(held, "p7").status).toBe("running");
    expect(step(held, "join").status).toBe("pending");
    expect(t.work.callsOf("echo")).toHaveLength(WIDTH - 1);
    t.work.release();
    await waitFor("the run to end", async () => (await t.hub.call<RunDetail>("taskmaster.status", { runId: id })).status === "succeeded");
    const run = await t.hub.call<RunDetail>("taskmaster.status", { runId: id });
    expect(step(run, "join")).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(t.work.callsOf("echo")).toHaveLength(WIDTH);
    expect(step(run, "join").startedAt!).toBeGreaterThanOrEqual(step(run, "p7").endedAt!);
  });
});
