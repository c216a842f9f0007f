import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunDetail, StepRecord } from "../../runtime/taskmaster/index.ts";
import { killTaskmaster, removeHubDir, startTaskHub, waitFor, type RunningHub } from "../helpers/index.ts";

// Retention (finished runs deleted by age, in batches, running ones kept) and payload limits
// (large outputs and inputs kept in the taskmaster's files, transparently), on a real hub.

const TASKS: Record<string, unknown> = {
  brief: { name: "brief", retention: "2s", steps: [{ id: "one", call: "worker.echo", input: "{ 'value': $input.n }" }] },
  "brief-held": { name: "brief-held", retention: "2s", steps: [{ id: "approve", signal: {} }] },
  kept: { name: "kept", steps: [{ id: "one", call: "worker.echo", input: "{ 'value': 'kept' }" }] },
  large: {
    name: "large",
    steps: [
      ...[1, 2, 3].map((n) => ({ id: `big${n}`, call: "worker.big", input: "{ 'bytes': 400000 }" })),
      { id: "approve", signal: {}, needs: ["big1", "big2", "big3"] },
      { id: "measure", call: "worker.echo", input: "{ 'value': $length($steps.big1.data) + $length($steps.big3.data) + $length($input.blob) }", needs: ["approve"] },
    ],
    output: "$steps.measure.value",
  },
};

let dir: string;
let hub: RunningHub;

const step = (run: RunDetail, id: string): StepRecord => run.steps.find((s) => s.id === id)!;
const status = (runId: string) => hub.call<RunDetail>("taskmaster.status", { runId });
const rowsOf = async (table: string, runId: string) => (await hub.call<{ rows: Record<string, unknown>[] }>("db.select", { table, where: { run_id: runId } })).rows;
const codeOf = (promise: Promise<unknown>) => promise.then(() => "OK", (e: { code?: string }) => e.code);

async function start(task: string, input: unknown = {}): Promise<string> {
  return (await hub.call<{ id: string }>("taskmaster.run", { task, input })).id;
}

async function ended(runId: string): Promise<RunDetail> {
  return waitFor(`run ${runId} to end`, async () => {
    const run = await status(runId).catch(() => undefined);
    return run && ["succeeded", "failed", "cancelled"].includes(run.status) ? run : undefined;
  }, 60_000);
}

async function waiting(runId: string, id: string): Promise<StepRecord> {
  return waitFor(`step ${id} of run ${runId} to wait`, async () => {
    const s = step(await status(runId), id);
    return s.status === "waiting" ? s : undefined;
  }, 60_000);
}

beforeAll(async () => {
  ({ dir, hub } = await startTaskHub(TASKS, { config: "taskmaster:\n  retentionEveryMs: 500\n" }));
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  if (dir) removeHubDir(dir);
});

describe("retention", () => {
  it("deletes finished runs past their age with their steps, keeps running runs and runs of other tasks", async () => {
    const held = await start("brief-held");
    const token = (await waiting(held, "approve")).waiting!.token!;
    const kept = await start("kept");
    const brief = await Promise.all([1, 2, 3, 4, 5].map((n) => start("brief", { n })));
    for (const id of [kept, ...brief]) expect((await ended(id)).status).toBe("succeeded");
    expect(await rowsOf("fuse_task_steps", brief[0]!)).toHaveLength(1);

    for (const id of brief) await waitFor(`run ${id} to be deleted`, () => codeOf(status(id)).then((code) => code === "NOT_FOUND"), 30_000);
    for (const id of brief) expect(await rowsOf("fuse_task_steps", id)).toEqual([]);
    const listed = (await hub.call<{ runs: { id: string }[] }>("taskmaster.runs", { task: "brief" })).runs;
    expect(listed).toEqual([]);

    // Older than 2 s, but waiting: kept. Another task (30 days by default): kept.
    expect(step(await status(held), "approve").status).toBe("waiting");
    expect((await status(kept)).status).toBe("succeeded");
    await hub.call("taskmaster.signal", { token, output: { ok: true } });
    expect((await ended(held)).status).toBe("succeeded");
    await waitFor("the signalled run to be deleted once past its age", () => codeOf(status(held)).then((code) => code === "NOT_FOUND"), 30_000);
    expect(await rowsOf("fuse_task_waits", held)).toEqual([]);
  });
});

describe("payload limits", () => {
  it("keeps large outputs and inputs in files, transparently to expressions, across kill -9; status stays small, result over the bus limit is refused, not a crash", async () => {
    const blob = "y".repeat(300_000);
    const runId = await start("large", { blob });
    const approve = await waiting(runId, "approve");
    const brief = await status(runId);
    for (const id of ["big1", "big2", "big3"]) {
      expect(step(brief, id).output).toBeUndefined();
      expect(step(brief, id).outputRef).toMatchObject({ bytes: 400_011 });
    }
    // Step records are written behind the run (a large output after its file): wait for the three.
    await waitFor("the three large outputs to be stored as references", async () => (await rowsOf("fuse_task_steps", runId)).filter((r) => String(r.output).includes('"$fuseFile"')).length === 3);
    expect(String((await hub.call<{ rows: Record<string, unknown>[] }>("db.select", { table: "fuse_task_runs", where: { id: runId } })).rows[0]!.input)).toContain('"$fuseFile"');

    await killTaskmaster(hub);

    await hub.call("taskmaster.signal", { token: approve.waiting!.token, output: {} });
    const run = await ended(runId);
    expect(run.status).toBe("succeeded");
    expect(run.output).toBe(400_000 + 400_000 + 300_000);
    // Three outputs of 400 KB are more than a bus message holds: refused with a code, and the taskmaster goes on.
    expect(await codeOf(hub.call("taskmaster.result", { runId }))).toBe("PAYLOAD_TOO_LARGE");
    expect((await status(runId)).status).toBe("succeeded");
  });
});
