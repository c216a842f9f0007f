import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../runtime/log/index.ts";
import { systemClock } from "../../../runtime/taskmaster/index.ts";
import { parseTask } from "../../../runtime/taskmaster/schema/parse-task.ts";
import { RunEngine } from "../../../runtime/taskmaster/run/run-engine.ts";
import { RunStore } from "../../../runtime/taskmaster/store/run-store.ts";
import type { Statement } from "../../../runtime/sdk/internal.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-end-write-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A run store whose writes of a run's end fail the first `failures` times (the store refusing, as a dead sqld would). */
async function storeFailingEnds(failures: number) {
  const store = await RunStore.open(`file:${path.join(dir, `runs-${failures}.db`)}`);
  const refused: Statement[] = [];
  const write = store.write.bind(store);
  store.write = async (statements: Statement[]) => {
    const end = statements.find((s) => s.sql.startsWith("UPDATE fuse_task_runs") && s.args?.[0] === "succeeded");
    if (end && refused.length < failures) {
      refused.push(end);
      throw Object.assign(new Error("database unreachable"), { code: "UNAVAILABLE" });
    }
    return write(statements);
  };
  return { store, refused };
}

describe("the end of a run is written until the store takes it", () => {
  it("retries a failed end-of-run write and never shows the finished run as running meanwhile", async () => {
    const { store, refused } = await storeFailingEnds(3);
    const engine = new RunEngine({ store, clock: systemClock, log: createLogger({ actor: "taskmaster", level: "silent" }), call: async (_t, input) => input });
    engine.open();
    const task = parseTask({ name: "quick", steps: [{ id: "one", call: "work.echo", input: "{ 'value': 1 }" }] }, { file: "tasks/quick.json" });
    const run = await engine.start(task, {}, { traceId: "t" });
    const seen: string[] = [];
    for (;;) {
      const { status } = await engine.detail(run.id);
      seen.push(status);
      const stored = await store.get(run.id);
      if (stored?.status === "succeeded") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(refused).toHaveLength(3);
    // Once over, every read said so: from memory while the store refused, from the store after.
    const firstOver = seen.indexOf("succeeded");
    expect(firstOver).toBeGreaterThanOrEqual(0);
    expect(seen.slice(firstOver).every((s) => s === "succeeded")).toBe(true);
    expect((await engine.detail(run.id)).status).toBe("succeeded");
    await engine.stop();
    store.close();
  });
});

describe("a run that ends before its row is written", () => {
  it("is written once, ended (an insert, no update); a longer one gets its insert and then its end", async () => {
    const store = await RunStore.open(`file:${path.join(dir, "runs-fold.db")}`);
    const written: Statement[] = [];
    const write = store.write.bind(store);
    store.write = async (statements: Statement[]) => {
      written.push(...statements.filter((s) => s.sql.includes("fuse_task_runs")));
      return write(statements);
    };
    let slow = false;
    const call = async (_t: string, input: unknown) => {
      // Longer than the writer's 20 ms interval: the insert goes before the end.
      if (slow) await new Promise((r) => setTimeout(r, 60));
      return input;
    };
    const engine = new RunEngine({ store, clock: systemClock, log: createLogger({ actor: "taskmaster", level: "silent" }), call });
    engine.open();
    const task = parseTask({ name: "quick", steps: [{ id: "one", call: "work.echo", input: "{ 'value': 1 }" }], output: "$steps.one.value" }, { file: "tasks/quick.json" });
    const statementsOf = (runId: string) => written.filter((s) => s.args.includes(runId)).map((s) => s.sql.trim().split(/\s+/)[0]);

    const quick = await engine.start(task, {}, { traceId: "t", untilEnd: true });
    const ended = await engine.wait(quick.id, 10_000);
    expect(ended).toMatchObject({ status: "succeeded", output: 1 });
    expect(statementsOf(quick.id)).toEqual(["INSERT"]);
    expect(await store.get(quick.id)).toMatchObject({ status: "succeeded", output: 1, endedAt: expect.any(Number), definition: expect.objectContaining({ name: "quick" }), file: "tasks/quick.json" });

    slow = true;
    const longer = await engine.start(task, {}, { traceId: "t", untilEnd: true });
    await engine.wait(longer.id, 10_000);
    expect(statementsOf(longer.id)).toEqual(["INSERT", "UPDATE"]);
    expect(await store.get(longer.id)).toMatchObject({ status: "succeeded", output: 1, endedAt: expect.any(Number) });
    await engine.stop();
    store.close();
  });
});
