import path from "node:path";
import { createClient } from "@libsql/client";
import { afterEach, describe, expect, it } from "vitest";
import type { RunDetail, RunRecord } from "../../../runtime/taskmaster/index.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { startTaskHub, type TaskHub } from "./fixtures/task-hub.ts";

// A taskmaster whose lease runs out (a long pause, a database that stayed busy) stops its runs
// and comes back under a new owner id, claiming them again. It must then work as before: take
// new runs, and cancel a child run with its parent.
let current: TaskHub | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

const TASKS = {
  parent: { name: "parent", steps: [{ id: "kid", task: "child" }] },
  child: { name: "child", steps: [{ id: "approve", signal: {} }] },
  held: { name: "held", steps: [{ id: "wait", call: "work.hang" }], output: "$steps.wait.released" },
  plain: { name: "plain", steps: [{ id: "a", call: "work.echo", input: "{ 'value': 1 }" }], output: "$steps.a.value" },
};

describe("a taskmaster whose lease ran out", () => {
  it("claims its runs again under a new owner, answers a caller waiting for a run's end, takes new runs, and cancels a child run with its parent", async () => {
    const t = (current = await startTaskHub(TASKS, { leaseMs: 1000 }));
    const status = (runId: string) => t.hub.call<RunDetail>("taskmaster.status", { runId });
    const { id: parentId } = await t.hub.call<RunRecord>("taskmaster.run", { task: "parent" });
    const childId = await waitFor("the child run", async () => (await status(parentId)).steps[0]!.childRunId);
    await waitFor("the child's signal step to wait", async () => (await status(childId)).steps[0]!.status === "waiting");
    // A caller waits for a run whose step is in flight when the lease runs out.
    let answered: RunRecord | undefined;
    const waited = t.hub.call<RunRecord>("taskmaster.run", { task: "held", wait: true }, { timeout: 60_000 }).then((run) => (answered = run));
    await waitFor("the held step in flight", () => t.work.callsOf("hang").length === 1);

    const db = createClient({ url: `file:${path.join(t.dir, "runs.db")}` });
    try {
      const ownerOf = async (runId: string) => String((await db.execute({ sql: "SELECT owner FROM fuse_task_runs WHERE id = ?", args: [runId] })).rows[0]!.owner);
      const before = await ownerOf(parentId);
      // The lease runs out as if the instance had not renewed it in time.
      await db.execute({ sql: "UPDATE fuse_task_owners SET lease_until = 0 WHERE instance = ?", args: [before] });
      await waitFor("both runs claimed under a new owner id", async () => {
        const owners = [await ownerOf(parentId), await ownerOf(childId)];
        return owners.every((o) => o !== before && o.startsWith(before.split("/")[0]!));
      });
    } finally {
      db.close();
    }
    await waitFor("the child's signal step to wait again", async () => (await status(childId)).steps[0]!.status === "waiting");
    // The held run resumed: its step is called again (same key), and the caller hears its end.
    await waitFor("the held step called again", () => t.work.callsOf("hang").length === 2);
    t.work.release();
    // With the run's end, not at the caller's deadline a minute later.
    await waitFor("the waiting caller's answer", () => answered, 10_000);
    expect(await waited).toMatchObject({ task: "held", status: "succeeded", output: true });

    // New runs start and end as before.
    expect(await t.hub.call<RunRecord>("taskmaster.run", { task: "plain", wait: true })).toMatchObject({ status: "succeeded", output: 1 });
    // The parent's cancel reaches its child.
    await t.hub.call("taskmaster.cancel", { runId: parentId });
    const child = await waitFor("the child run to end", async () => {
      const run = await status(childId);
      return run.status === "running" ? undefined : run;
    });
    expect(child.status).toBe("cancelled");
    expect((await status(parentId)).status).toBe("cancelled");
  });
});
