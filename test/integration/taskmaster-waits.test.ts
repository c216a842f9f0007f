import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FuseError } from "../../runtime/errors/index.ts";
import type { RunDetail, StepRecord } from "../../runtime/taskmaster/index.ts";
import { isAlive, killTaskmaster, removeHubDir, startTaskHub, waitFor, type RunningHub } from "../helpers/index.ts";

interface WorkerCall {
  endpoint: string;
  input: Record<string, unknown>;
  idempotencyKey?: string;
  at: number;
}

const TASKS: Record<string, unknown> = {
  cooling: {
    name: "cooling",
    steps: [
      { id: "cool_off", wait: { ms: 20_000 } },
      { id: "after", call: "worker.echo", input: "{ 'value': $input.tag }", needs: ["cool_off"] },
    ],
    output: "$steps.cool_off.dueAt",
  },
  approval: {
    name: "approval",
    steps: [
      { id: "approve", signal: { timeoutMs: 600_000 } },
      { id: "after", call: "worker.echo", input: "{ 'value': $steps.approve.by }" },
    ],
    output: "$steps.after.value",
  },
  payment: {
    name: "payment",
    steps: [
      { id: "settled", await: { event: "payment.settled", match: "$event.orderId = $input.orderId", timeoutMs: 600_000 } },
      { id: "after", call: "worker.echo", input: "{ 'value': $steps.settled.amount }" },
    ],
    output: "$steps.after.value",
  },
  backoff: {
    name: "backoff",
    steps: [{ id: "again", call: "worker.flaky", input: "{ 'key': $input.key, 'failTimes': 1 }", retry: { attempts: 3, backoffMs: 15_000 } }],
  },
  large: {
    name: "large",
    steps: [1, 2, 3].map((n) => ({ id: `big${n}`, call: "worker.big", input: "{ 'bytes': 400000 }" })),
    output: "$steps.big1",
  },
};

let dir: string;
let hub: RunningHub;

const step = (run: RunDetail, id: string): StepRecord => run.steps.find((s) => s.id === id)!;
const status = (runId: string) => hub.call<RunDetail>("taskmaster.status", { runId });
const calls = async (endpoint: string) => (await hub.call<{ calls: WorkerCall[] }>("worker.calls")).calls.filter((c) => c.endpoint === endpoint);

async function start(task: string, input: unknown = {}): Promise<string> {
  return (await hub.call<{ id: string }>("taskmaster.run", { task, input })).id;
}

async function waiting(runId: string, id: string): Promise<StepRecord> {
  return waitFor(`step ${id} of run ${runId} to wait`, async () => {
    const s = step(await status(runId), id);
    return s.status === "waiting" ? s : undefined;
  });
}

async function ended(runId: string): Promise<RunDetail> {
  return waitFor(`run ${runId} to end`, async () => {
    const run = await status(runId).catch(() => undefined);
    return run && ["succeeded", "failed", "cancelled"].includes(run.status) ? run : undefined;
  }, 60_000);
}


beforeAll(async () => {
  ({ dir, hub } = await startTaskHub(TASKS));
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  if (dir) removeHubDir(dir);
});

describe("taskmaster waits on a real hub, across kill -9", () => {
  it("a wait step keeps its due time across kill -9 and fires once, at or after it", async () => {
    const runId = await start("cooling", { tag: "cool-1" });
    const before = await waiting(runId, "cool_off");
    const dueAt = before.waiting!.dueAt!;
    await killTaskmaster(hub);
    expect(step(await status(runId), "cool_off")).toMatchObject({ status: "waiting", waiting: { kind: "timer", dueAt } });
    const run = await ended(runId);
    expect(run.status).toBe("succeeded");
    expect(run.output).toBe(new Date(dueAt).toISOString());
    const echoes = (await calls("echo")).filter((c) => c.input.value === "cool-1");
    expect(echoes).toHaveLength(1);
    expect(echoes[0]!.at).toBeGreaterThanOrEqual(dueAt);
  });

  it("a retry's backoff keeps its due time across kill -9: the next attempt is not early, and not repeated", async () => {
    const runId = await start("backoff", { key: "backoff-1" });
    const before = await waiting(runId, "again");
    expect(before).toMatchObject({ attempts: 1, waiting: { kind: "retry" } });
    const dueAt = before.waiting!.dueAt!;
    await killTaskmaster(hub);
    expect(step(await status(runId), "again")).toMatchObject({ status: "waiting", waiting: { kind: "retry", dueAt } });
    const run = await ended(runId);
    expect(run.status).toBe("succeeded");
    const flaky = (await calls("flaky")).filter((c) => c.input.key === "backoff-1");
    expect(flaky).toHaveLength(2);
    expect(flaky[1]!.at).toBeGreaterThanOrEqual(dueAt);
    expect(flaky.map((c) => c.idempotencyKey)).toEqual([`${runId}/again`, `${runId}/again`]);
    expect(step(run, "again").attempts).toBe(2);
  });

  it("a signal step keeps its token across kill -9; POST /tasks/signal/:token completes it once, a second use is 409", async () => {
    const runId = await start("approval");
    const token = (await waiting(runId, "approve")).waiting!.token!;
    await killTaskmaster(hub);
    expect(step(await status(runId), "approve").waiting).toMatchObject({ kind: "signal", token });
    const signal = (body: unknown) =>
      fetch(`${hub.state.gatewayUrl}/tasks/signal/${token}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const first = await signal({ output: { by: "ada" } });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ runId, step: "approve" });
    const run = await ended(runId);
    expect(run.status).toBe("succeeded");
    expect(run.output).toBe("ada");
    const second = await signal({ output: { by: "mallory" } });
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe("CONFLICT");
    expect((await fetch(`${hub.state.gatewayUrl}/tasks/signal/not-a-token`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } })).status).toBe(404);
  });

  it("an event emitted while the taskmaster is down completes the await step when it is back; others do not", async () => {
    const runs = [await start("payment", { orderId: "o-1" }), await start("payment", { orderId: "o-2" })];
    for (const runId of runs) await waiting(runId, "settled");
    const [pid] = (await hub.actor("taskmaster")).pids;
    process.kill(pid!, "SIGKILL");
    await waitFor("the killed taskmaster to be gone", () => !isAlive(pid!));
    // Held down, so that the event is surely stored while no taskmaster runs.
    await hub.call("hub.stop", { name: "taskmaster" });
    expect((await hub.actor("taskmaster")).pids).toEqual([]);
    await hub.call("worker.emit", { topic: "payment.settled", payload: { orderId: "o-1", amount: 42 } });
    await hub.call("hub.start", { name: "taskmaster" });
    const first = await ended(runs[0]!);
    expect(first.status).toBe("succeeded");
    expect(first.output).toBe(42);
    expect(step(await status(runs[1]!), "settled").status).toBe("waiting");
    await hub.call("worker.emit", { topic: "payment.settled", payload: { orderId: "o-2", amount: 7 } });
    expect((await ended(runs[1]!)).output).toBe(7);
    const echoed = (await calls("echo")).filter((c) => c.input.value === 42 || c.input.value === 7);
    expect(echoed).toHaveLength(2);
  });

  it("counts: every run started here finished, none failed, and no step ran twice under different keys", async () => {
    const { runs } = await hub.call<{ runs: RunDetail[] }>("taskmaster.runs", { limit: 100 });
    const counts = { started: runs.length, succeeded: runs.filter((r) => r.status === "succeeded").length, failed: runs.filter((r) => r.status === "failed").length };
    expect(counts).toEqual({ started: 5, succeeded: 5, failed: 0 });
    const keys = (await hub.call<{ calls: WorkerCall[] }>("worker.calls")).calls.map((c) => c.idempotencyKey);
    const byKey = new Map<string, number>();
    for (const key of keys) byKey.set(key!, (byKey.get(key!) ?? 0) + 1);
    // The only key used twice is the retried flaky step's (two attempts, one key).
    expect([...byKey.entries()].filter(([, n]) => n > 1).map(([k]) => k.split("/")[1])).toEqual(["again"]);
  });
});

describe("large replies", () => {
  it("a run larger than the bus's max payload: status names the large outputs (kept in files), result is refused with PAYLOAD_TOO_LARGE, and the taskmaster lives on", async () => {
    const runId = await start("large");
    await waitFor("the large run to end", async () => {
      const { runs } = await hub.call<{ runs: RunDetail[] }>("taskmaster.runs", { task: "large" });
      return runs[0]?.status === "succeeded";
    }, 60_000);
    const [pid] = (await hub.actor("taskmaster")).pids;
    const brief = await hub.call<RunDetail>("taskmaster.status", { runId });
    expect(brief.steps.map((s) => [s.output, s.outputRef?.bytes])).toEqual([[undefined, 400_011], [undefined, 400_011], [undefined, 400_011]]);
    const error = await hub.call("taskmaster.result", { runId }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FuseError);
    expect((error as FuseError).code).toBe("PAYLOAD_TOO_LARGE");
    expect((await fetch(`${hub.state.gatewayUrl}/tasks/runs/${runId}`)).status).toBe(200);
    expect((await fetch(`${hub.state.gatewayUrl}/tasks/runs/${runId}/result`)).status).toBe(413);
    expect((await hub.call<{ tasks: unknown[] }>("taskmaster.list")).tasks).toHaveLength(Object.keys(TASKS).length);
    expect((await hub.actor("taskmaster")).pids).toEqual([pid]);
    expect(isAlive(pid!)).toBe(true);
  });
});
