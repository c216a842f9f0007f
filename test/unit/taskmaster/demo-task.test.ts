import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import counter from "../../../actors/counter/index.ts";
import greeter from "../../../actors/greeter/index.ts";
import { createTestHub, type TestHub } from "../../../runtime/sdk/index.ts";
import { createTaskmasterActor, type RunDetail } from "../../../runtime/taskmaster/index.ts";
import { REPO } from "../../helpers/index.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-demo-task-"));
let hub: TestHub;

beforeAll(async () => {
  hub = await createTestHub([createTaskmasterActor({ hubDir: REPO, dbUrl: `file:${path.join(dir, "runs.db")}` }), greeter, counter]);
});
afterAll(async () => {
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the demo hub's welcome-team task", () => {
  it("greets every member in order, counts the team, and skips the announcement unless asked", async () => {
    const run = await hub.call<RunDetail>("taskmaster.run", { task: "welcome-team", input: { team: "core", members: ["Ada", "Grace", "Linus"] }, wait: true });
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ team: "core", greetings: ["Hello, Ada!", "Hello, Grace!", "Hello, Linus!"], welcomes: 1, announced: false });
    const status = await hub.call<RunDetail>("taskmaster.status", { runId: run.id });
    expect(status.steps.map((s) => [s.id, s.status])).toEqual([
      ["greet", "succeeded"],
      ["count_team", "succeeded"],
      ["announce", "skipped"],
      ["total", "succeeded"],
    ]);
  });

  it("shows its DAG: data edges found from the expressions, order edges from needs", async () => {
    const shown = await hub.call<{ dag: { edges: unknown[] } }>("taskmaster.show", { name: "welcome-team" });
    expect(shown.dag.edges).toEqual([
      { from: "greet", to: "announce", kind: "order" },
      { from: "count_team", to: "total", kind: "data" },
    ]);
  });
});
