import { describe, expect, it } from "vitest";
import { ActorMetrics, DB_KINDS, exposition, statementKind } from "../../../runtime/metrics/index.ts";

/** Every series of `name` in the exposition, as "labels value" lines without the name. */
function series(text: string, name: string): string[] {
  return text.split("\n").filter((l) => l.startsWith(`${name}{`)).map((l) => l.slice(name.length));
}

describe("task and ctx.db figures", () => {
  it("tells a statement's kind by its first word, whatever its case and leading space; anything else is other", () => {
    expect(["SELECT 1", "  select * from t", "\n\tInsert into t values (1)", "UPDATE t SET a = 1", "delete from t", "INSERT OR REPLACE INTO t VALUES (1)"].map(statementKind)).toEqual(["select", "select", "insert", "update", "delete", "insert"]);
    expect(["WITH x AS (SELECT 1) SELECT * FROM x", "PRAGMA table_info(t)", "CREATE TABLE t (a)", "REPLACE INTO t VALUES (1)", "", "-- comment\nSELECT 1"].map(statementKind)).toEqual(["other", "other", "other", "other", "other", "other"]);
    expect(DB_KINDS).toEqual(["select", "insert", "update", "delete", "batch", "transaction", "other"]);
  });

  it("counts task runs by task and status, with their durations on buckets from milliseconds to a day", async () => {
    const metrics = new ActorMetrics({ actor: "taskmaster", instance: 0 });
    metrics.taskRunEnded("order", "succeeded", 0.004);
    metrics.taskRunEnded("order", "succeeded", 120);
    metrics.taskRunEnded("order", "compensated", 2 * 86_400);
    const { text } = await exposition([await metrics.snapshot()]);
    expect(series(text, "fuse_task_runs_total")).toEqual([
      '{actor="taskmaster",actor_instance="0",task="order",status="succeeded"} 2',
      '{actor="taskmaster",actor_instance="0",task="order",status="failed"} 0',
      '{actor="taskmaster",actor_instance="0",task="order",status="compensated"} 1',
    ]);
    const buckets = series(text, "fuse_task_run_duration_seconds_bucket");
    expect(buckets.find((l) => l.includes('le="0.005"'))).toMatch(/ 1$/);
    expect(buckets.find((l) => l.includes('le="300"'))).toMatch(/ 2$/);
    // Two days is above the last bucket (a day): only in +Inf and the count.
    expect(buckets.find((l) => l.includes('le="86400"'))).toMatch(/ 2$/);
    expect(buckets.find((l) => l.includes('le="+Inf"'))).toMatch(/ 3$/);
    expect(series(text, "fuse_task_run_duration_seconds_sum")).toEqual([`{actor="taskmaster",actor_instance="0",task="order"} ${0.004 + 120 + 2 * 86_400}`]);
  });

  it("keeps step durations by task and step, and ctx.db statements by kind and code, and no other labels", async () => {
    const metrics = new ActorMetrics({ actor: "shop", instance: 1 });
    metrics.taskStepEnded("order", "charge", 0.2);
    metrics.taskStepEnded("order", "charge", 0.3);
    metrics.taskStepEnded("order", "ship", 1);
    metrics.dbStatement("insert", "OK", 0.001);
    metrics.dbStatement("insert", "SQLITE_CONSTRAINT", 0.002);
    metrics.dbStatement("transaction", "OK", 0.01);
    const { text } = await exposition([await metrics.snapshot()]);
    expect(series(text, "fuse_task_step_duration_seconds_count")).toEqual([
      '{actor="shop",actor_instance="1",task="order",step="charge"} 2',
      '{actor="shop",actor_instance="1",task="order",step="ship"} 1',
    ]);
    // A step histogram has no counter of its own.
    expect(text).not.toContain("fuse_task_steps_total");
    expect(series(text, "fuse_db_statements_total")).toEqual([
      '{actor="shop",actor_instance="1",kind="insert",code="OK"} 1',
      '{actor="shop",actor_instance="1",kind="insert",code="SQLITE_CONSTRAINT"} 1',
      '{actor="shop",actor_instance="1",kind="transaction",code="OK"} 1',
    ]);
    expect(series(text, "fuse_db_statement_duration_seconds_count")).toEqual(['{actor="shop",actor_instance="1",kind="insert"} 2', '{actor="shop",actor_instance="1",kind="transaction"} 1']);
  });
});
