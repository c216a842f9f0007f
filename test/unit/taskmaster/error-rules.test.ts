import { afterEach, describe, expect, it } from "vitest";
import type { RunDetail, StepRecord } from "../../../runtime/taskmaster/index.ts";
import { startTaskHub, type TaskHub } from "./fixtures/task-hub.ts";
import { createVirtualClock } from "./fixtures/virtual-clock.ts";

let current: TaskHub | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

async function hubWith(tasks: Record<string, unknown>, options = {}) {
  current = await startTaskHub(tasks, options);
  return current;
}

const step = (run: RunDetail, id: string): StepRecord => run.steps.find((s) => s.id === id)!;
const statuses = (run: RunDetail) => Object.fromEntries(run.steps.map((s) => [s.id, s.status]));

// Retry TEMPORARILY_DOWN up to 5 attempts, go to a handler on OUT_OF_STOCK, fail on anything else.
const reserve = (codes: string[]) => ({
  name: "reserve",
  steps: [
    {
      id: "reserve",
      call: "work.fail-with",
      input: `{ 'key': $input.key, 'codes': ${JSON.stringify(codes)} }`,
      retry: { attempts: 5, backoffMs: 10, on: ["TEMPORARILY_DOWN"] },
      onError: [{ on: ["OUT_OF_STOCK"], goto: "restock" }],
    },
    { id: "restock", call: "work.echo", input: "{ 'value': $errors.reserve.code }" },
    { id: "ship", call: "work.echo", input: "{ 'value': $steps.reserve.attempts }" },
  ],
});

describe("error rules", () => {
  it("retries only the codes its retry names, then succeeds; the handler is skipped", async () => {
    const t = await hubWith({ reserve: reserve(["TEMPORARILY_DOWN", "TEMPORARILY_DOWN"]) }, { clock: createVirtualClock() });
    const run = await t.run("reserve", { key: "a" });
    expect(run.status).toBe("succeeded");
    expect(statuses(run)).toEqual({ reserve: "succeeded", restock: "skipped", ship: "succeeded" });
    expect(step(run, "reserve").attempts).toBe(3);
    expect(step(run, "ship").output).toEqual({ value: 3 });
  });

  it("goes to the handler step on the caught code, without retrying it; a step reading the failed output is skipped", async () => {
    const t = await hubWith({ reserve: reserve(["TEMPORARILY_DOWN", "OUT_OF_STOCK"]) }, { clock: createVirtualClock() });
    const run = await t.run("reserve", { key: "b" });
    expect(run.status).toBe("succeeded");
    expect(statuses(run)).toEqual({ reserve: "failed", restock: "succeeded", ship: "skipped" });
    expect(step(run, "reserve")).toMatchObject({ attempts: 2, error: { code: "OUT_OF_STOCK" } });
    expect(step(run, "restock").output).toEqual({ value: "OUT_OF_STOCK" });
    expect(t.work.callsOf("echo")).toHaveLength(1);
  });

  it("fails the run on a code no rule catches", async () => {
    const t = await hubWith({ reserve: reserve(["CARD_DECLINED"]) }, { clock: createVirtualClock() });
    const run = await t.run("reserve", { key: "c" });
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ code: "CARD_DECLINED", message: 'step "reserve" failed: failure 1: CARD_DECLINED' });
    expect(step(run, "reserve").attempts).toBe(1);
    expect(t.work.callsOf("echo")).toHaveLength(0);
  });

  it("follows each trigger rule over skipped and failed prerequisites", async () => {
    const t = await hubWith({
      rules: {
        name: "rules",
        steps: [
          { id: "skipped", call: "work.echo", when: "false" },
          { id: "broken", call: "work.fail", onError: "continue" },
          { id: "fine", call: "work.echo" },
          { id: "reads_skipped", call: "work.echo", input: "{ 'value': $steps.skipped.value }" },
          { id: "after_skip", call: "work.echo", needs: ["skipped", "fine"], trigger: "none_failed" },
          { id: "after_broken", call: "work.echo", needs: ["broken", "fine"], trigger: "none_failed" },
          { id: "done_anyway", call: "work.echo", needs: ["broken", "skipped"], trigger: "all_done" },
          { id: "one_ok", call: "work.echo", needs: ["broken", "fine"], trigger: "one_succeeded" },
          { id: "on_failure", call: "work.echo", needs: ["broken", "fine"], trigger: "one_failed" },
          { id: "no_failure", call: "work.echo", needs: ["fine"], trigger: "one_failed" },
          { id: "chain", call: "work.echo", input: "{ 'value': $steps.reads_skipped.value }" },
        ],
      },
    });
    const run = await t.run("rules");
    expect(run.status).toBe("succeeded");
    expect(statuses(run)).toEqual({
      skipped: "skipped",
      broken: "failed",
      fine: "succeeded",
      reads_skipped: "skipped",
      after_skip: "succeeded",
      after_broken: "skipped",
      done_anyway: "succeeded",
      one_ok: "succeeded",
      on_failure: "succeeded",
      no_failure: "skipped",
      chain: "skipped",
    });
  });

  it("fails a run past its timeoutMs with DEADLINE_EXCEEDED and cancels the step in flight", async () => {
    const t = await hubWith({
      slow: { name: "slow", timeoutMs: 300, steps: [{ id: "first", call: "work.echo" }, { id: "hang", call: "work.hang", needs: ["first"] }, { id: "never", call: "work.echo", needs: ["hang"] }] },
    });
    const run = await t.run("slow");
    expect(run.status).toBe("failed");
    expect(run.error).toEqual({ code: "DEADLINE_EXCEEDED", message: "the run passed its deadline of 300 ms" });
    expect(statuses(run)).toEqual({ first: "succeeded", hang: "cancelled", never: "pending" });
  });

  it("cancels a waiting step at the run's deadline", async () => {
    const t = await hubWith({ slow: { name: "slow", timeoutMs: 200, steps: [{ id: "approval", signal: {} }] } });
    const run = await t.run("slow");
    expect(run.error!.code).toBe("DEADLINE_EXCEEDED");
    expect(step(run, "approval").status).toBe("cancelled");
  });

  it("reports a failing expression as EXPRESSION_FAILED naming the step and the expression", async () => {
    const t = await hubWith({
      bad: { name: "bad", steps: [{ id: "calc", call: "work.echo", input: "{ 'value': $number($input.n) }" }] },
      badOutput: { name: "bad-output", steps: [{ id: "calc", call: "work.echo" }], output: "$number('x1')" },
    });
    const run = await t.run("bad", { n: "eleven" });
    expect(run.status).toBe("failed");
    expect(step(run, "calc").error).toMatchObject({ code: "EXPRESSION_FAILED", details: { step: "calc", field: "input", expression: "{ 'value': $number($input.n) }" } });
    expect(step(run, "calc").error!.message).toMatchInlineSnapshot(
      `"step "calc" input: expression "{ 'value': $number($input.n) }" failed: Unable to cast value to a number: "eleven""`,
    );
    expect(step(run, "calc").attempts).toBe(1);
    expect(t.work.callsOf("echo")).toHaveLength(0);
    const output = await t.run("bad-output");
    expect(output.error).toMatchObject({ code: "EXPRESSION_FAILED" });
    expect(output.error!.message).toContain(`output: expression "$number('x1')" failed`);
  });
});
