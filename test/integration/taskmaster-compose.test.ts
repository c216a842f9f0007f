import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnavailableError } from "../../runtime/errors/index.ts";
import type { RunDetail, StepRecord } from "../../runtime/taskmaster/index.ts";
import { killTaskmaster, removeHubDir, startHub, startTaskHub, waitFor, type RunningHub } from "../helpers/index.ts";

// Sub-tasks, a resumed call of taskmaster.run, reruns, fan-out items and compensations, each
// across a kill -9 of the taskmaster, on a real hub.

interface WorkerCall {
  endpoint: string;
  input: Record<string, unknown>;
  idempotencyKey?: string;
  at: number;
}

const TASKS: Record<string, unknown> = {
  parent: {
    name: "parent",
    steps: [
      { id: "prep", call: "worker.echo", input: "{ 'value': $input.tag }" },
      { id: "kid", task: "child", input: "{ 'tag': $steps.prep.value }" },
      { id: "after", call: "worker.echo", input: "{ 'value': $steps.kid.approved & ' ' & $steps.prep.value }" },
    ],
    output: "$steps.after.value",
  },
  child: {
    name: "child",
    steps: [
      { id: "approve", signal: {} },
      { id: "done", call: "worker.echo", input: "{ 'value': $steps.approve.by }" },
    ],
    output: "{ 'approved': $steps.done.value }",
  },
  outer: {
    name: "outer",
    steps: [{ id: "inner", call: "taskmaster.run", input: "{ 'task': 'hold', 'input': { 'key': $input.key }, 'wait': true }", timeoutMs: 120_000 }],
    output: "$steps.inner.status",
  },
  hold: {
    name: "hold",
    steps: [{ id: "held", call: "worker.gate", input: "{ 'key': $input.key }" }],
  },
  rerunnable: {
    name: "rerunnable",
    steps: [
      { id: "first", call: "worker.echo", input: "{ 'value': $input.tag }" },
      { id: "fan", call: "worker.flaky", forEach: "$input.items", concurrency: 1, input: "{ 'key': $item, 'failTimes': $item = $input.bad ? 1 : 0 }", needs: ["first"] },
      { id: "approve", signal: {}, needs: ["fan"] },
      { id: "last", call: "worker.echo", input: "{ 'value': $steps.first.value & ':' & $count($steps.fan) & ':' & $steps.approve.by }" },
    ],
    output: "$steps.last.value",
  },
  fanout: {
    name: "fanout",
    steps: [{ id: "fan", call: "worker.gate", forEach: "$input.keys", concurrency: 1, input: "{ 'key': $item, 'value': $index }" }],
    output: "[$steps.fan.value]",
  },
  saga: {
    name: "saga",
    steps: [
      { id: "reserve", call: "worker.echo", input: "{ 'value': 'reserved ' & $input.order }", compensate: { call: "worker.gate", input: "{ 'key': 'release-' & $input.order, 'value': $steps.reserve.value }" } },
      { id: "charge", call: "worker.echo", input: "{ 'value': $steps.reserve.value }", compensate: { call: "worker.gate", input: "{ 'key': 'refund-' & $input.order, 'value': $steps.charge.value }" } },
      { id: "note", call: "worker.echo", input: "{ 'value': 'no compensation' }" },
      { id: "ship", call: "worker.flaky", input: "{ 'key': 'ship-' & $input.order, 'failTimes': 99 }", needs: ["charge"] },
    ],
  },
  "saga-bad": {
    name: "saga-bad",
    steps: [
      { id: "book", call: "worker.echo", input: "{ 'value': 1 }", compensate: { call: "worker.flaky", input: "{ 'key': 'unbook-' & $input.order, 'failTimes': 99 }", retry: { attempts: 2, backoffMs: 10 } } },
      { id: "pay", call: "worker.flaky", input: "{ 'key': 'pay-' & $input.order, 'failTimes': 99 }", needs: ["book"] },
    ],
  },
};

let dir: string;
let hub: RunningHub;

const step = (run: RunDetail, id: string): StepRecord => run.steps.find((s) => s.id === id)!;
const status = (runId: string) => hub.call<RunDetail>("taskmaster.status", { runId });
const calls = async (endpoint: string) => (await hub.call<{ calls: WorkerCall[] }>("worker.calls")).calls.filter((c) => c.endpoint === endpoint);
const open = (...keys: string[]) => hub.call("worker.open", { keys });

/**
 * taskmaster.signal, sent again (at most twice, a second apart) when it answers UNAVAILABLE:
 * "the database stayed busy; try again", nothing applied, as the endpoint's contract says.
 * Seen once in 12 fresh-clone runs, right after a kill -9 of the taskmaster (3.4 s of busy);
 * its cause is not known yet, so a repeat is logged rather than hidden.
 */
async function signal(token: string, output: unknown): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await hub.call("taskmaster.signal", { token, output });
      return;
    } catch (error) {
      if (!(error instanceof UnavailableError) || attempt === 3) throw error;
      console.warn(`taskmaster.signal answered UNAVAILABLE (${error.message}); sending it again`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function start(task: string, input: unknown = {}): Promise<string> {
  return (await hub.call<{ id: string }>("taskmaster.run", { task, input })).id;
}

/** What a run looks like now, for a wait's failure message: its status and each step's. */
const seen = (run: RunDetail) => `run ${run.status}, steps ${run.steps.map((s) => `${s.id} ${s.status}`).join(", ")}`;

// The waits below fail (naming the run's state) before the test's own timeout, which names nothing.
const WAIT_MS = 60_000;
const TEST_MS = 150_000;

async function stepIs(runId: string, id: string, wanted: StepRecord["status"]): Promise<StepRecord> {
  return waitFor(`step ${id} of run ${runId} to be ${wanted}`, async () => {
    const run = await status(runId);
    const s = step(run, id);
    if (s.status !== wanted) throw new Error(seen(run));
    return s;
  }, WAIT_MS);
}

const OVER = ["succeeded", "failed", "cancelled", "compensated", "compensation_failed"];
async function ended(runId: string): Promise<RunDetail> {
  return waitFor(`run ${runId} to end`, async () => {
    const run = await status(runId);
    if (!OVER.includes(run.status)) throw new Error(seen(run));
    return run;
  }, WAIT_MS);
}


beforeAll(async () => {
  ({ dir, hub } = await startTaskHub(TASKS));
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  if (dir) removeHubDir(dir);
});

describe("sub-tasks", () => {
  it("runs a child run linked both ways, which survives kill -9 of the taskmaster with its parent", async () => {
    const parentId = await start("parent", { tag: "t1" });
    const kid = await stepIs(parentId, "kid", "running").then(() => waitFor("the child's run id", async () => step(await status(parentId), "kid").childRunId));
    const token = (await stepIs(kid, "approve", "waiting")).waiting!.token!;
    expect(await status(kid)).toMatchObject({ task: "child", parent: { runId: parentId, step: "kid" } });
    expect((await status(parentId)).children).toEqual([{ runId: kid, step: "kid" }]);

    await killTaskmaster(hub);
    expect(step(await status(kid), "approve").waiting?.token).toBe(token);
    await signal(token, { by: "alice" });

    const run = await ended(parentId);
    expect(run).toMatchObject({ status: "succeeded", output: "alice t1" });
    expect(step(run, "kid")).toMatchObject({ status: "succeeded", childRunId: kid, output: { approved: "alice" } });
    expect(await status(kid)).toMatchObject({ status: "succeeded", parent: { runId: parentId, step: "kid" } });
    // One child run, started once: the resumed parent found it by its key.
    const children = (await hub.call<{ runs: { id: string }[] }>("taskmaster.runs", { task: "child", limit: 100 })).runs;
    expect(children.filter((r) => r.id === kid)).toHaveLength(1);
    expect((await calls("echo")).filter((c) => c.input.value === "alice t1")).toHaveLength(1);
  }, TEST_MS);

  it("cancels the child run with its parent", async () => {
    const parentId = await start("parent", { tag: "t2" });
    await stepIs(parentId, "kid", "running");
    const kid = await waitFor("the child's run id", async () => step(await status(parentId), "kid").childRunId);
    await stepIs(kid, "approve", "waiting");
    await hub.call("taskmaster.cancel", { runId: parentId });
    const child = await ended(kid);
    expect(child.status).toBe("cancelled");
    expect((await ended(parentId)).status).toBe("cancelled");
  }, TEST_MS);

  it("a step calling taskmaster.run that was in flight at kill -9 gets the same inner run, waited for to its end", async () => {
    const outerId = await start("outer", { key: "outer-1" });
    await waitFor("the inner run's step to be in flight", async () => (await calls("gate")).some((c) => c.input.key === "outer-1"));
    await killTaskmaster(hub);
    await open("outer-1");
    const run = await ended(outerId);
    expect(run.error).toBeUndefined();
    expect(run).toMatchObject({ status: "succeeded", output: "succeeded" });
    expect(step(run, "inner").attempts).toBe(2);
    // One inner run: the repeated call carried the same idempotency key.
    const inner = (await hub.call<{ runs: { id: string }[] }>("taskmaster.runs", { task: "hold", limit: 100 })).runs;
    expect(inner).toHaveLength(1);
  }, TEST_MS);
});

describe("restart of the hub", () => {
  it("a step calling taskmaster.run in flight across a stop and start of the hub succeeds with the same inner run", async () => {
    const outerId = await start("outer", { key: "outer-2" });
    await waitFor("the inner run's step to be in flight", async () => (await calls("gate")).some((c) => c.input.key === "outer-2"));
    // A clean stop hands the runs back (the lease is released): the next start resumes them at once.
    expect(await hub.stop()).toBe(0);
    hub = await startHub(dir);
    await waitFor("the resumed inner step to call the gate again", async () => (await calls("gate")).some((c) => c.input.key === "outer-2"), 60_000);
    await open("outer-2");
    const run = await ended(outerId);
    expect(run.error).toBeUndefined();
    expect(run).toMatchObject({ status: "succeeded", output: "succeeded" });
    expect((await hub.call<{ runs: { id: string; input: { key?: string } }[] }>("taskmaster.runs", { task: "hold", limit: 100 })).runs.filter((r) => r.input.key === "outer-2")).toHaveLength(1);
  }, TEST_MS);
});

describe("fan-out items", () => {
  it("persists items one by one: after kill -9 only the unfinished items are called again", async () => {
    await open("f0", "f1");
    const runId = await start("fanout", { keys: ["f0", "f1", "f2", "f3"] });
    await waitFor("item 2 to be in flight", async () => (await calls("gate")).some((c) => c.input.key === "f2"));
    await waitFor("items 0 and 1 to be stored", async () => {
      const { rows } = await hub.call<{ rows: unknown[] }>("db.select", { table: "fuse_task_items", where: { run_id: runId } });
      return rows.length === 2;
    });
    await killTaskmaster(hub);
    await open("f2", "f3");
    const run = await ended(runId);
    expect(run).toMatchObject({ status: "succeeded", output: [0, 1, 2, 3] });
    const keys = (await calls("gate")).filter((c) => c.idempotencyKey?.startsWith(`${runId}/`)).map((c) => c.idempotencyKey);
    expect(keys.filter((k) => k === `${runId}/fan/0`)).toHaveLength(1);
    expect(keys.filter((k) => k === `${runId}/fan/1`)).toHaveLength(1);
    expect(keys.filter((k) => k === `${runId}/fan/3`)).toHaveLength(1);
    // Item 2 was in flight: called again, with the same key.
    expect(keys.filter((k) => k === `${runId}/fan/2`).length).toBeGreaterThanOrEqual(1);
  }, TEST_MS);
});

describe("rerun", () => {
  it("reuses the succeeded steps and fan-out items, hands out a new token, survives kill -9, and links both runs", async () => {
    const input = { tag: "r1", items: ["r1-a", "r1-b", "r1-c", "r1-d"], bad: "r1-c" };
    const firstId = await start("rerunnable", input);
    const failed = await ended(firstId);
    expect(failed.status).toBe("failed");
    expect(step(failed, "first").status).toBe("succeeded");

    const refused = await hub.call("taskmaster.rerun", { runId: firstId, from: "nope" }).catch((e: { code?: string }) => e.code);
    expect(refused).toBe("VALIDATION_FAILED");

    const { id: rerunId } = await hub.call<{ id: string }>("taskmaster.rerun", { runId: firstId });
    const approve = await stepIs(rerunId, "approve", "waiting");
    const rerun = await status(rerunId);
    expect(rerun.rerunOf).toBe(firstId);
    expect(step(rerun, "first")).toMatchObject({ status: "succeeded", reused: true, output: { value: "r1" } });
    expect((await status(firstId)).reruns).toEqual([rerunId]);

    await killTaskmaster(hub);
    expect(step(await status(rerunId), "first").reused).toBe(true);
    expect(step(await status(rerunId), "approve").waiting?.token).toBe(approve.waiting!.token);
    await signal(approve.waiting!.token!, { by: "bob" });
    const done = await ended(rerunId);
    expect(done).toMatchObject({ status: "succeeded", output: "r1:4:bob" });

    // "first" ran once (the rerun reused it); items a and b once (reused), c twice (failed, then again), d once (in the rerun).
    expect((await calls("echo")).filter((c) => c.input.value === "r1")).toHaveLength(1);
    const flaky = await calls("flaky");
    const count = (key: string) => flaky.filter((c) => c.input.key === key).length;
    expect([count("r1-a"), count("r1-b"), count("r1-c"), count("r1-d")]).toEqual([1, 1, 2, 1]);
    expect(flaky.filter((c) => c.input.key === "r1-d").map((c) => c.idempotencyKey)).toEqual([`${rerunId}/fan/3`]);
  }, TEST_MS);

  it("--from reruns a succeeded step and every step after it", async () => {
    const firstId = await start("rerunnable", { tag: "r2", items: ["r2-a"], bad: "none" });
    const token = (await stepIs(firstId, "approve", "waiting")).waiting!.token!;
    await signal(token, { by: "carol" });
    expect((await ended(firstId)).status).toBe("succeeded");
    const conflict = await hub.call("taskmaster.rerun", { runId: firstId }).catch((e: { code?: string }) => e.code);
    expect(conflict).toBe("CONFLICT");

    const { id } = await hub.call<{ id: string }>("taskmaster.rerun", { runId: firstId, from: "fan" });
    const approve = await stepIs(id, "approve", "waiting");
    expect(approve.waiting!.token).not.toBe(token);
    const run = await status(id);
    expect(step(run, "first").reused).toBe(true);
    expect(step(run, "fan").reused).toBeUndefined();
    await signal(approve.waiting!.token!, { by: "dave" });
    expect(await ended(id)).toMatchObject({ status: "succeeded", output: "r2:1:dave" });
    expect((await calls("flaky")).filter((c) => c.input.key === "r2-a")).toHaveLength(2);
  }, TEST_MS);
});

describe("compensation", () => {
  it("undoes the succeeded steps in reverse order, resumes a compensation in flight at kill -9 with the same key, and ends compensated", async () => {
    await open("release-o1");
    const runId = await start("saga", { order: "o1" });
    await waitFor("the charge's compensation to be in flight", async () => (await calls("gate")).some((c) => c.input.key === "refund-o1"));
    const compensating = await status(runId);
    expect(compensating.status).toBe("compensating");
    expect(compensating.compensations?.find((c) => c.id === "charge")?.status).toBe("running");
    // release waits for the refund: reserve comes before charge.
    expect((await calls("gate")).some((c) => c.input.key === "release-o1")).toBe(false);

    await killTaskmaster(hub);
    await waitFor("the charge's compensation to be made again", async () => (await calls("gate")).filter((c) => c.input.key === "refund-o1").length === 2);
    await open("refund-o1");
    const run = await ended(runId);
    expect(run.status).toBe("compensated");
    expect(run.error?.code).toBe("HANDLER_FAILED");
    expect(run.error?.message).toContain('step "ship" failed');
    expect(Object.fromEntries(run.compensations!.map((c) => [c.id, c.status]))).toEqual({ reserve: "succeeded", charge: "succeeded" });

    const gates = (await calls("gate")).filter((c) => c.idempotencyKey?.startsWith(`${runId}/`));
    expect(gates.map((c) => c.idempotencyKey)).toEqual([`${runId}/charge/compensate`, `${runId}/charge/compensate`, `${runId}/reserve/compensate`]);
    expect(gates.map((c) => c.input.value)).toEqual(["reserved o1", "reserved o1", "reserved o1"]);
  }, TEST_MS);

  it("ends compensation_failed naming the compensation that failed", async () => {
    const runId = await start("saga-bad", { order: "o2" });
    const run = await ended(runId);
    expect(run.status).toBe("compensation_failed");
    expect(run.error?.details).toMatchObject({ compensationFailures: [{ step: "book", code: "HANDLER_FAILED" }] });
    expect(run.compensations).toEqual([expect.objectContaining({ id: "book", status: "failed", attempts: 2 })]);
    expect((await calls("flaky")).filter((c) => c.input.key === "unbook-o2").map((c) => c.idempotencyKey)).toEqual([`${runId}/book/compensate`, `${runId}/book/compensate`]);
  }, TEST_MS);
});
