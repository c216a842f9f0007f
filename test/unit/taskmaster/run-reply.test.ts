import { afterEach, describe, expect, it } from "vitest";
import { FuseError } from "../../../runtime/errors/index.ts";
import type { RunDetail, RunRecord } from "../../../runtime/taskmaster/index.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { startTaskHub, type TaskHub } from "./fixtures/task-hub.ts";

// What `taskmaster.run { wait: true }` answers, now that a waited-for run is recorded with its
// end (one write) and a run without links answers without reading them.
let current: TaskHub | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

const TASKS = {
  child: { name: "child", steps: [{ id: "only", call: "work.echo", input: "{ 'value': 'child' }" }], output: "$steps.only.value" },
  parent: { name: "parent", steps: [{ id: "kid", task: "child" }], output: "$steps.kid" },
  held: { name: "held", steps: [{ id: "wait", call: "work.hang" }] },
  plain: { name: "plain", steps: [{ id: "a", call: "work.echo", input: "{ 'value': 1 }" }, { id: "b", call: "work.echo", input: "{ 'value': $steps.a.value + 1 }" }], output: "$steps.b.value" },
};

describe("taskmaster.run with wait", () => {
  it("answers once the run and its steps are stored, as the store then reads them", async () => {
    current = await startTaskHub(TASKS);
    const run = await current.hub.call<RunRecord>("taskmaster.run", { task: "plain", wait: true });
    expect(run).toMatchObject({ status: "succeeded", output: 2 });
    // Not in memory any more: `runs` reads the store.
    const { runs } = await current.hub.call<{ runs: RunRecord[] }>("taskmaster.runs", { task: "plain" });
    expect(runs).toEqual([expect.objectContaining({ id: run.id, status: "succeeded", output: 2 })]);
    const stored = await current.hub.call<RunDetail>("taskmaster.status", { runId: run.id });
    expect(stored.steps.map((s) => [s.id, s.status, s.attempts])).toEqual([
      ["a", "succeeded", 1],
      ["b", "succeeded", 1],
    ]);
    expect(run).not.toHaveProperty("children");
  });

  it("answers a run's links: the children of a run with a sub-task step, the parent of a child", async () => {
    current = await startTaskHub(TASKS);
    const parent = await current.hub.call<RunRecord & { children?: { runId: string; step: string }[] }>("taskmaster.run", { task: "parent", wait: true });
    expect(parent).toMatchObject({ status: "succeeded", output: "child" });
    expect(parent.children).toEqual([{ runId: expect.any(String), step: "kid" }]);
    const child = await current.hub.call<RunDetail>("taskmaster.status", { runId: parent.children![0]!.runId });
    expect(child).toMatchObject({ task: "child", status: "succeeded", parent: { runId: parent.id, step: "kid" } });
  });

  it("answers a rerun's link to the run it reran", async () => {
    current = await startTaskHub(TASKS);
    const first = await current.hub.call<RunRecord>("taskmaster.run", { task: "plain", wait: true });
    const rerun = await current.hub.call<RunRecord>("taskmaster.rerun", { runId: first.id, from: "b" });
    expect(rerun).toMatchObject({ task: "plain" });
    const status = await current.hub.call<RunDetail>("taskmaster.status", { runId: rerun.id });
    expect(status.rerunOf).toBe(first.id);
  });

  it("answers a caller still waiting when the taskmaster stops, at once, with a retryable error naming the run", async () => {
    const t = (current = await startTaskHub(TASKS));
    const waiting = t.hub.call<RunRecord>("taskmaster.run", { task: "held", wait: true }).then(
      () => undefined,
      (error: unknown) => error as FuseError,
    );
    await waitFor("the held step in flight", () => t.work.callsOf("hang").length === 1);
    const stopped = t.hub.stop();
    // The step's call is still held: the answer comes from the taskmaster's stop, not the run's end.
    const error = await waiting;
    expect(error).toBeInstanceOf(FuseError);
    expect(error).toMatchObject({ code: "NO_LIVE_INSTANCE", retryable: true });
    expect(error!.message).toContain("the taskmaster is stopping");
    expect(error!.details).toMatchObject({ runId: expect.any(String) });
    expect(t.work.callsOf("hang")).toHaveLength(1);
    t.work.release();
    // afterEach's stop waits for this same stop, then removes the folder.
    await stopped;
  });
});
