import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTaskHub, type TaskHub } from "./fixtures/task-hub.ts";

const task = (name: string, call: string) => ({ name, steps: [{ id: "only", call }] });

describe("task schemas against the live actors", () => {
  let t: TaskHub;
  beforeAll(async () => {
    t = await startTaskHub({ good: task("good", "work.echo"), bad: task("bad", "work.nope"), later: task("later", "ghost.anything") });
  });
  afterAll(() => t?.stop());

  it("refuses a task calling an endpoint its live actor lacks, naming file, step and what the actor has; serves the others", async () => {
    const listing = await t.hub.call<{ tasks: { name: string }[]; invalid: { file: string; code: string; message: string }[] }>("taskmaster.reload");
    expect(listing.tasks.map((x) => x.name).sort()).toEqual(["good", "later"]);
    expect(listing.invalid).toEqual([
      {
        file: "tasks/bad.json",
        code: "TASK_SCHEMA_INVALID",
        message: 'tasks/bad.json steps[0] "only".call: unknown endpoint "work.nope" (actor "work" has: echo, emit, fail, fail-with, flaky, hang)',
        details: { file: "tasks/bad.json", step: "only", field: "call" },
      },
    ]);
  });

  it("answers a run of the refused task with its reason", async () => {
    await expect(t.hub.call("taskmaster.run", { task: "bad" })).rejects.toMatchObject({ code: "TASK_SCHEMA_INVALID" });
  });
});
