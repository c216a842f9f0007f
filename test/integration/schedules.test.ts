import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScheduleStatus } from "../../runtime/protocol/index.ts";
import { createHubDir, removeHubDir, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

const CONFIG = `
schedules:
  tick:
    cron: "* * * * * *"
    call: worker.echo
    input: { text: "tick" }
  long:
    cron: "* * * * * *"
    call: worker.slow
    input: { ms: 2500 }
  broken:
    cron: "* * * * * *"
    call: worker.fail
  task-tick:
    cron: "* * * * * *"
    task: tick
`;

describe("schedules", () => {
  let dir: string;
  let hub: RunningHub;
  const schedules = async () => (await hub.call<{ schedules: ScheduleStatus[] }>("hub.schedules")).schedules;
  const byName = async (name: string) => (await schedules()).find((s) => s.name === name)!;

  beforeAll(async () => {
    dir = createHubDir({ config: CONFIG, actors: { worker: "worker" }, files: { "tasks/tick.json": "tasks/tick.json" } });
    hub = await startHub(dir);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("calls an endpoint on its cron schedule and records the outcome and the next run", async () => {
    const tick = await waitFor("two ticks", async () => {
      const s = await byName("tick");
      return s.runs >= 2 ? s : undefined;
    });
    expect(tick.lastRun).toMatchObject({ outcome: "ok" });
    expect(tick.nextRun).toBeGreaterThan(tick.lastRun!.at);
    expect((await hub.actor("worker")).requests).toBeGreaterThanOrEqual(2);
  });

  it("records a failed run with its error", async () => {
    const broken = await waitFor("a failed run", async () => {
      const s = await byName("broken");
      return s.failures >= 1 ? s : undefined;
    });
    expect(broken.lastRun).toMatchObject({ outcome: "failed", error: "HANDLER_FAILED: worker failed on purpose" });
  });

  it("runs a task on its schedule through the taskmaster", async () => {
    const tick = await waitFor("a task run", async () => {
      const s = await byName("task-tick");
      return s.runs >= 1 && s.lastRun?.outcome === "ok" ? s : undefined;
    }, 20_000);
    expect(tick.target).toBe("task tick");
    const { runs } = await hub.call<{ runs: { task: string; status: string }[] }>("taskmaster.runs", { task: "tick" });
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.some((r) => r.status === "succeeded")).toBe(true);
  });

  it("does not start an overrunning job twice at once: the overlapping runs are skipped", async () => {
    const long = await waitFor("a skipped overrun", async () => {
      const s = await byName("long");
      return s.skipped >= 2 && s.runs >= 1 ? s : undefined;
    }, 20_000);
    expect(long.lastRun).toMatchObject({ outcome: "ok" });
    // One run takes 2.5 s on a 1 s schedule; the worker never had two running at once.
    await expect(hub.call("worker.peak")).resolves.toEqual({ slow: 1 });
  });

  it("lists schedules with fuse schedules ls", async () => {
    const json = await runCli(dir, ["schedules", "ls", "--json"]);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as ScheduleStatus[]).map((s) => s.name).sort()).toEqual(["broken", "long", "task-tick", "tick"]);
    const table = await runCli(dir, ["schedules", "ls"]);
    expect(table.stdout).toMatch(/^SCHEDULE\s+CRON\s+TARGET\s+NEXT\s+LAST\s+RUNS\s+FAILED\s+SKIPPED/);
    expect(table.stdout).toMatch(/tick\s+\* \* \* \* \* \*\s+call worker\.echo\s+(in \d+s|now)\s+ok \d+s ago/);
  });
});
