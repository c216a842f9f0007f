import { writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunDetail, RunRecord } from "../../runtime/taskmaster/index.ts";
import { createHubDir, removeHubDir, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

// Six steps in a chain, 400 ms each: a run is in flight for seconds, long enough to kill its owner.
const STEPS = 6;
const slow = {
  name: "slow",
  input: { type: "object", properties: { seed: { type: "string" } }, required: ["seed"] },
  steps: Array.from({ length: STEPS }, (_, i) => ({
    id: `s${i}`,
    call: "lw.step",
    input: `{ 'run': $input.seed, 'step': 's${i}', 'delayMs': 400 }`,
    ...(i ? { needs: [`s${i - 1}`] } : {}),
  })),
};
const RUNS = 20;
// A signal step, and an await step, each followed by a call: the signal or event may reach either instance.
const approve = {
  name: "approve",
  input: slow.input,
  steps: [
    { id: "ok", signal: { timeoutMs: 120000 } },
    { id: "after", call: "lw.step", input: "{ 'run': $input.seed, 'step': 'after', 'answer': $steps.ok.answer }" },
  ],
};
const settle = {
  name: "settle",
  input: slow.input,
  steps: [
    { id: "paid", await: { event: "lease.paid", match: "$event.seed = $input.seed", timeoutMs: 120000 } },
    { id: "after", call: "lw.step", input: "{ 'run': $input.seed, 'step': 'after-paid' }", needs: ["paid"] },
  ],
};
const WAITING = 10;

interface WorkerCalls {
  peak: number;
  calls: { endpoint: string; run: string; step: string; idempotencyKey?: string; at: number }[];
}

let hub: RunningHub;
let dir: string;

beforeAll(async () => {
  dir = createHubDir({ actors: { lw: "lease-worker" } });
  mkdirSync(path.join(dir, "tasks"));
  for (const task of [slow, approve, settle]) writeFileSync(path.join(dir, `tasks/${task.name}.json`), JSON.stringify(task, null, 2));
  hub = await startHub(dir);
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  if (dir) removeHubDir(dir);
}, 60_000);

async function owners(tasks = ["slow"]): Promise<Map<string, string>> {
  const db = createClient({ url: hub.state.dbUrl! });
  try {
    const { rows } = await db.execute(`SELECT id, owner FROM fuse_task_runs WHERE task IN (${tasks.map((t) => `'${t}'`).join(", ")})`);
    return new Map(rows.map((r) => [String(r.id), String(r.owner)]));
  } finally {
    db.close();
  }
}

describe("taskmaster: two instances share the runs by lease", () => {
  it("`fuse actors scale taskmaster 2`; one killed with SIGKILL under 20 running runs: every run finishes, no step under two keys", async () => {
    const scaled = await runCli(dir, ["actors", "scale", "taskmaster", "2"]);
    expect(scaled.code, scaled.stderr).toBe(0);
    const tm = await waitFor("two taskmaster instances running", async () => {
      const actor = await hub.actor("taskmaster");
      return actor.instances.filter((i) => i.status === "running" && i.pid).length === 2 ? actor : undefined;
    }, 60_000);

    // Started through the bus: the two instances share the requests (queue group), each owns the runs it started.
    const started = await Promise.all(
      Array.from({ length: RUNS }, (_, i) => hub.call<RunRecord>("taskmaster.run", { task: "slow", input: { seed: `r${i}` } }, { timeoutMs: 20_000 })),
    );
    const seedOf = new Map(started.map((run, i) => [run.id, `r${i}`]));
    const byOwner = await waitFor("every run to have an owner", async () => {
      const map = await owners();
      return map.size === RUNS && [...map.values()].every((o) => o !== "null") ? map : undefined;
    });
    const ownerNames = [...new Set(byOwner.values())];
    expect(ownerNames.length, `owners: ${ownerNames.join(", ")}`).toBe(2);

    // Kill the instance #0 (its owner id starts with taskmaster#0) while every run is mid-way.
    await waitFor("the runs to be under way", async () => (await hub.call<WorkerCalls>("lw.calls")).calls.length >= RUNS);
    const victim = tm.instances.find((i) => i.index === 0)!;
    const victimRuns = [...byOwner.values()].filter((o) => o.startsWith("taskmaster#0/")).length;
    process.kill(victim.pid!, "SIGKILL");

    const finished = await waitFor("every run to end", async () => {
      const runs = await Promise.all(started.map((r) => hub.call<RunDetail>("taskmaster.status", { runId: r.id })));
      return runs.every((r) => r.status !== "running" && r.status !== "pending") ? runs : undefined;
    }, 90_000);

    const { calls } = await hub.call<WorkerCalls>("lw.calls");
    const keysByStep = new Map<string, Set<string>>();
    for (const c of calls) {
      const id = `${c.run}/${c.step}`;
      keysByStep.set(id, (keysByStep.get(id) ?? new Set()).add(c.idempotencyKey ?? "(none)"));
    }
    const counts = {
      runs: RUNS,
      ownedByKilled: victimRuns,
      succeeded: finished.filter((r) => r.status === "succeeded").length,
      failed: finished.filter((r) => r.status !== "succeeded").length,
      stepCalls: calls.length,
      stepsCalled: keysByStep.size,
      repeatedSameKey: calls.length - keysByStep.size,
      stepsUnderTwoKeys: [...keysByStep.values()].filter((k) => k.size > 1).length,
      runsClaimedLines: (hub.output().match(/runs claimed/g) ?? []).length,
      leaseLostLines: (hub.output().match(/run lease lost/g) ?? []).length,
    };
    console.log(`taskmaster-many: ${JSON.stringify(counts)}`);
    expect(counts.ownedByKilled).toBeGreaterThan(0);
    expect(counts.succeeded).toBe(RUNS);
    expect(counts.stepsCalled).toBe(RUNS * STEPS);
    expect(counts.stepsUnderTwoKeys).toBe(0);
    // Each key is the run's id and the step's: stable whichever instance made the call.
    for (const c of calls) expect(c.idempotencyKey).toBe(`${[...seedOf].find(([, seed]) => seed === c.run)![0]}/${c.step}`);
    // No run is left with the killed instance's owner id: a live instance claimed each.
    const killedOwner = ownerNames.find((o) => o.startsWith("taskmaster#0/"))!;
    expect([...(await owners()).values()].filter((o) => o === killedOwner)).toEqual([]);
  }, 180_000);

  it("a signal or an event received by the instance that does not own the run still completes its step", async () => {
    await waitFor("two taskmaster instances running", async () => (await hub.actor("taskmaster")).instances.filter((i) => i.status === "running").length === 2, 60_000);
    const signalled = await Promise.all(Array.from({ length: WAITING }, (_, i) => hub.call<RunRecord>("taskmaster.run", { task: "approve", input: { seed: `a${i}` } })));
    const awaiting = await Promise.all(Array.from({ length: WAITING }, (_, i) => hub.call<RunRecord>("taskmaster.run", { task: "settle", input: { seed: `e${i}` } })));
    const byOwner = await owners(["approve", "settle"]);
    expect(new Set(byOwner.values()).size).toBe(2);

    // Each signal goes to whichever instance the bus picks; the store decides, the owner learns.
    const tokens = await Promise.all(
      signalled.map((run) =>
        waitFor(`the token of ${run.id}`, async () => (await hub.call<RunDetail>("taskmaster.status", { runId: run.id })).steps.find((s) => s.id === "ok")?.waiting?.token),
      ),
    );
    const accepted = await Promise.all(tokens.map((token, i) => hub.call("taskmaster.signal", { token, output: { answer: `yes-${i}` } }).then(() => 1, () => 0)));
    // Events go to one instance of the taskmaster (its queue group): the other's steps get them through the store.
    await Promise.all(
      awaiting.map((run) =>
        waitFor(`${run.id} waiting for its event`, async () => (await hub.call<RunDetail>("taskmaster.status", { runId: run.id })).steps.find((s) => s.id === "paid")?.status === "waiting"),
      ),
    );
    for (let i = 0; i < WAITING; i++) await hub.call("lw.emit", { topic: "lease.paid", payload: { seed: `e${i}` } });

    const ended = await waitFor("every waiting run to end", async () => {
      const runs = await Promise.all([...signalled, ...awaiting].map((r) => hub.call<RunDetail>("taskmaster.status", { runId: r.id })));
      return runs.every((r) => r.status !== "running" && r.status !== "pending") ? runs : undefined;
    }, 60_000);
    const counts = {
      signalsSent: WAITING,
      signalsAccepted: accepted.reduce((a, b) => a + b, 0),
      eventsSent: WAITING,
      succeeded: ended.filter((r) => r.status === "succeeded").length,
      failed: ended.filter((r) => r.status !== "succeeded").length,
    };
    console.log(`taskmaster-many waits: ${JSON.stringify(counts)}`);
    expect(counts).toEqual({ signalsSent: WAITING, signalsAccepted: WAITING, eventsSent: WAITING, succeeded: 2 * WAITING, failed: 0 });
    const answers = ended.slice(0, WAITING).map((r) => (r.steps.find((s) => s.id === "ok")?.output as { answer?: string } | undefined)?.answer);
    expect(answers, JSON.stringify(ended.slice(0, WAITING).map((r) => r.steps))).toEqual(tokens.map((_, i) => `yes-${i}`));
  }, 180_000);
});
