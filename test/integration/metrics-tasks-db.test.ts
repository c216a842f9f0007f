// Issue 18 point 1: the taskmaster's runs by task and status with run and step durations, and
// the ctx.db statements of an actor by kind and outcome code, scraped at the gateway's
// GET /metrics of a real hub: exact counts for the runs and statements the test causes.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS } from "../../runtime/metrics/index.ts";
import type { RunDetail } from "../../runtime/protocol/index.ts";
import { createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

const TASKS = {
  chain: {
    name: "chain",
    steps: [
      { id: "first", call: "worker.echo", input: '{ "value": "one" }' },
      { id: "second", call: "worker.echo", input: '{ "value": $steps.first.value & " two" }' },
    ],
  },
  breaks: {
    name: "breaks",
    steps: [
      { id: "before", call: "worker.echo", input: '{ "value": 1 }' },
      { id: "fails", call: "worker.flaky", input: '{ "key": "always", "failTimes": 1000000 }', needs: ["before"] },
    ],
  },
};

let hub: RunningHub;
let gateway: string;

/** One series' value per label set, from the gateway's exposition. */
interface Sample { name: string; labels: Record<string, string>; value: number }

async function scrape(): Promise<Sample[]> {
  const text = await (await fetch(`${gateway}/metrics`)).text();
  return text.split("\n").flatMap((line) => {
    const m = /^([a-zA-Z_:][\w:]*)\{(.*)\} (\S+)$/.exec(line);
    if (!m) return [];
    const labels = Object.fromEntries([...m[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    return [{ name: m[1]!, labels, value: Number(m[3]) }];
  });
}

/** The sum of the series named `name` whose labels include `labels` (0 when there is none). */
function sum(samples: Sample[], name: string, labels: Record<string, string>): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((total, s) => total + s.value, 0);
}

function has(samples: Sample[], name: string, labels: Record<string, string>): boolean {
  return samples.some((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

beforeAll(async () => {
  const dir = createHubDir({ actors: { worker: "task-worker", store: "db-statements" }, files: { "schemas/entries.json": "schemas/entries.json" } });
  mkdirSync(path.join(dir, "tasks"));
  for (const [name, task] of Object.entries(TASKS)) writeFileSync(path.join(dir, "tasks", `${name}.json`), JSON.stringify(task, null, 2));
  hub = await startHub(dir);
  gateway = hub.state.gatewayUrl!;
  await waitFor("the taskmaster to serve both tasks", async () => {
    const { tasks } = await hub.call<{ tasks: unknown[] }>("taskmaster.list").catch(() => ({ tasks: [] }));
    return tasks.length === 2;
  }, 60_000);
  await waitFor("store to run", async () => (await hub.actor("store")).running === 1, 60_000);
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  if (hub) removeHubDir(hub.dir);
});

describe("task metrics", () => {
  it("counts runs by task and status, and their runs' and steps' durations as the runs recorded them", async () => {
    const tm = { actor: "taskmaster" };
    const before = await scrape();
    const runs: RunDetail[] = [];
    for (let i = 0; i < 3; i++) runs.push(await hub.call<RunDetail>("taskmaster.run", { task: "chain", wait: true }));
    for (let i = 0; i < 2; i++) runs.push(await hub.call<RunDetail>("taskmaster.run", { task: "breaks", wait: true }));
    expect(runs.map((r) => `${r.task}:${r.status}`)).toEqual(["chain:succeeded", "chain:succeeded", "chain:succeeded", "breaks:failed", "breaks:failed"]);
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string>) => sum(after, name, { ...tm, ...labels }) - sum(before, name, { ...tm, ...labels });

    expect(moved("fuse_task_runs_total", { task: "chain", status: "succeeded" })).toBe(3);
    expect(moved("fuse_task_runs_total", { task: "breaks", status: "failed" })).toBe(2);
    // Born at zero when the task first ended, so rate() sees the first of each.
    expect(has(after, "fuse_task_runs_total", { ...tm, task: "chain", status: "failed" })).toBe(true);
    expect(moved("fuse_task_runs_total", { task: "chain", status: "failed" })).toBe(0);
    expect(moved("fuse_task_runs_total", { task: "breaks", status: "succeeded" })).toBe(0);

    // The histogram's count matches the counter, its +Inf bucket its count, its sum the runs' own times.
    expect(moved("fuse_task_run_duration_seconds_count", { task: "chain" })).toBe(3);
    expect(moved("fuse_task_run_duration_seconds_bucket", { task: "chain", le: "+Inf" })).toBe(3);
    expect(moved("fuse_task_run_duration_seconds_count", { task: "breaks" })).toBe(2);
    const details = await Promise.all(runs.map((r) => hub.call<RunDetail>("taskmaster.status", { runId: r.id })));
    const seconds = (task: string) => details.filter((d) => d.task === task).reduce((t, d) => t + (d.endedAt! - d.startedAt!) / 1000, 0);
    expect(moved("fuse_task_run_duration_seconds_sum", { task: "chain" })).toBeCloseTo(seconds("chain"), 6);
    expect(moved("fuse_task_run_duration_seconds_sum", { task: "breaks" })).toBeCloseTo(seconds("breaks"), 6);

    // Every step that ran counts once per run, the failed one too; by task and step id.
    for (const [task, step, n] of [["chain", "first", 3], ["chain", "second", 3], ["breaks", "before", 2], ["breaks", "fails", 2]] as const) {
      expect(moved("fuse_task_step_duration_seconds_count", { task, step }), `${task}.${step}`).toBe(n);
      expect(moved("fuse_task_step_duration_seconds_bucket", { task, step, le: "+Inf" }), `${task}.${step}`).toBe(n);
      const stepSeconds = details.filter((d) => d.task === task).reduce((t, d) => {
        const record = d.steps.find((s) => s.id === step)!;
        return t + (record.endedAt! - record.startedAt!) / 1000;
      }, 0);
      expect(moved("fuse_task_step_duration_seconds_sum", { task, step }), `${task}.${step}`).toBeCloseTo(stepSeconds, 6);
    }
  });
});

describe("ctx.db metrics", () => {
  const store = { actor: "store" };
  const statements = (samples: Sample[], kind: string, code?: string) => sum(samples, "fuse_db_statements_total", { ...store, kind, ...(code ? { code } : {}) });
  const timed = (samples: Sample[], kind: string) => sum(samples, "fuse_db_statement_duration_seconds_count", { ...store, kind });

  it("counts each statement once by its kind, with a latency observation per statement", async () => {
    const tag = "kinds";
    const before = await scrape();
    await hub.call("store.insert", { n: 7, tag });
    await hub.call("store.select", { n: 4, tag });
    const after = await scrape();
    expect(statements(after, "insert", "OK") - statements(before, "insert", "OK")).toBe(7);
    expect(statements(after, "select", "OK") - statements(before, "select", "OK")).toBe(4);
    expect(timed(after, "insert") - timed(before, "insert")).toBe(7);
    expect(timed(after, "select") - timed(before, "select")).toBe(4);
    for (const kind of ["update", "delete", "batch", "transaction"]) expect(statements(after, kind) - statements(before, kind), kind).toBe(0);
  });

  it("counts a many-row insert as one batch, and a transaction once beside its statements", async () => {
    const before = await scrape();
    await hub.call("store.bulk", { n: 5, tag: "bulk" });
    await hub.call("store.transaction", { n: 3, tag: "tx" });
    const after = await scrape();
    expect(statements(after, "batch", "OK") - statements(before, "batch", "OK")).toBe(1);
    expect(statements(after, "transaction", "OK") - statements(before, "transaction", "OK")).toBe(1);
    expect(statements(after, "insert", "OK") - statements(before, "insert", "OK")).toBe(3);
    expect(timed(after, "transaction") - timed(before, "transaction")).toBe(1);
  });

  it("counts a failed statement under the error code the actor got", async () => {
    const before = await scrape();
    const { code } = await hub.call<{ code: string }>("store.broken", {});
    expect(code).not.toBe("none");
    const after = await scrape();
    expect(statements(after, "select", code) - statements(before, "select", code)).toBe(1);
    expect(statements(after, "select", "OK") - statements(before, "select", "OK")).toBe(0);
    expect(timed(after, "select") - timed(before, "select")).toBe(1);
    // Bounded labels only: the kind from its closed list, never SQL text or a table name.
    const db = after.filter((s) => s.name.startsWith("fuse_db_"));
    expect(new Set(db.flatMap((s) => Object.keys(s.labels)))).toEqual(new Set(["actor", "actor_instance", "kind", "code", "le"]));
    expect(db.every((s) => DB_KINDS.includes(s.labels.kind as (typeof DB_KINDS)[number]))).toBe(true);
  });
});
