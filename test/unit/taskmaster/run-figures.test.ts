import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../../helpers/index.ts";
import { createLogger } from "../../../runtime/log/index.ts";
import { systemClock } from "../../../runtime/taskmaster/index.ts";
import { parseTask } from "../../../runtime/taskmaster/schema/parse-task.ts";
import { RunEngine, type TracedCall } from "../../../runtime/taskmaster/run/run-engine.ts";
import type { RunFigures } from "../../../runtime/taskmaster/run/run-figures.ts";
import { RunStore } from "../../../runtime/taskmaster/store/run-store.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-run-figures-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const log = createLogger({ actor: "taskmaster", level: "silent" });

/** `work.fail` fails, `work.hang` never answers, anything else echoes its input. */
const call: TracedCall = async (target, input) => {
  if (target === "work.fail") throw new Error("failed on purpose");
  if (target === "work.hang") return new Promise(() => undefined);
  return input;
};

/** What the engine counted, as "task:status" per run and "task.step" per step. */
function recorder() {
  const runs: string[] = [];
  const steps: string[] = [];
  const seconds: number[] = [];
  const figures: RunFigures = {
    taskRunEnded: (task, status, s) => (runs.push(`${task}:${status}`), seconds.push(s)),
    taskStepEnded: (task, step, s) => (steps.push(`${task}.${step}`), seconds.push(s)),
  };
  return { runs, steps, seconds, figures };
}

async function engineWith(name: string, figures: RunFigures, store?: RunStore) {
  const runs = store ?? (await RunStore.open(`file:${path.join(dir, `${name}.db`)}`));
  const engine = new RunEngine({ store: runs, clock: systemClock, log, call, figures });
  engine.open();
  // Nothing to resume: ready for reruns.
  await engine.resume([]);
  return { engine, store: runs };
}

describe("the figures a run engine counts", () => {
  it("counts a failed saga once as compensated, with each step that ran, failed one included", async () => {
    const seen = recorder();
    const { engine, store } = await engineWith("saga", seen.figures);
    const task = parseTask({ name: "saga", steps: [{ id: "book", call: "work.echo", compensate: { call: "work.echo" } }, { id: "pay", call: "work.fail", needs: ["book"] }] }, { file: "tasks/saga.json" });
    const run = await engine.start(task, {}, { traceId: "t" });
    expect((await engine.wait(run.id, 10_000)).status).toBe("compensated");
    expect(seen.runs).toEqual(["saga:compensated"]);
    expect(seen.steps.sort()).toEqual(["saga.book", "saga.pay"]);
    expect(seen.seconds.every((s) => s >= 0 && s < 10)).toBe(true);
    await engine.stop();
    store.close();
  });

  it("counts a cancelled run once as cancelled, and its step in flight as ended", async () => {
    const seen = recorder();
    const { engine, store } = await engineWith("cancel", seen.figures);
    const task = parseTask({ name: "stuck", steps: [{ id: "wait", call: "work.hang" }] }, { file: "tasks/stuck.json" });
    const run = await engine.start(task, {}, { traceId: "t" });
    await waitFor("the step to run", async () => (await engine.detail(run.id)).steps[0]!.status === "running");
    expect((await engine.cancel(run.id)).status).toBe("cancelled");
    expect(seen.runs).toEqual(["stuck:cancelled"]);
    expect(seen.steps).toEqual(["stuck.wait"]);
    await engine.stop();
    store.close();
  });

  it("counts a run cancelled while no engine runs it, once", async () => {
    const first = recorder();
    const { engine, store } = await engineWith("stored", first.figures);
    const task = parseTask({ name: "stuck", steps: [{ id: "wait", call: "work.hang" }] }, { file: "tasks/stuck.json" });
    const run = await engine.start(task, {}, { traceId: "t" });
    await waitFor("the step to run", async () => (await engine.detail(run.id)).steps[0]!.status === "running");
    // Stopped, not ended: the run stays running in the store, for the next start to resume.
    await engine.stop();
    expect(first.runs).toEqual([]);
    const second = recorder();
    const { engine: other } = await engineWith("stored", second.figures, store);
    expect((await other.cancel(run.id)).status).toBe("cancelled");
    expect(second.runs).toEqual(["stuck:cancelled"]);
    await other.stop();
    store.close();
  });

  it("does not count again the steps a rerun reuses", async () => {
    const seen = recorder();
    const { engine, store } = await engineWith("rerun", seen.figures);
    const task = parseTask({ name: "pair", steps: [{ id: "a", call: "work.echo" }, { id: "b", call: "work.echo", needs: ["a"] }] }, { file: "tasks/pair.json" });
    const run = await engine.start(task, {}, { traceId: "t" });
    expect((await engine.wait(run.id, 10_000)).status).toBe("succeeded");
    const again = await engine.rerun(run.id, "b", "t2");
    const rerun = await engine.wait(again.id, 10_000);
    expect(rerun.status).toBe("succeeded");
    expect(rerun.steps.find((s) => s.id === "a")?.reused).toBe(true);
    expect(seen.runs).toEqual(["pair:succeeded", "pair:succeeded"]);
    expect(seen.steps).toEqual(["pair.a", "pair.b", "pair.b"]);
    await engine.stop();
    store.close();
  });
});
