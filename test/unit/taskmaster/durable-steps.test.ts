import { afterEach, describe, expect, it } from "vitest";
import { FuseError } from "../../../runtime/errors/index.ts";
import type { RunDetail, StepRecord } from "../../../runtime/taskmaster/index.ts";
import { waitFor } from "../../helpers/index.ts";
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

async function started(t: TaskHub, task: string, input: unknown = {}): Promise<string> {
  return (await t.hub.call<{ id: string }>("taskmaster.run", { task, input })).id;
}

async function waitingStep(t: TaskHub, runId: string, id: string): Promise<StepRecord> {
  return waitFor(`step "${id}" to wait`, async () => {
    const s = step(await t.hub.call<RunDetail>("taskmaster.status", { runId }), id);
    return s.status === "waiting" ? s : undefined;
  });
}

async function ended(t: TaskHub, runId: string): Promise<RunDetail> {
  return waitFor("the run to end", async () => {
    const run = await t.hub.call<RunDetail>("taskmaster.status", { runId });
    return ["succeeded", "failed", "cancelled"].includes(run.status) ? run : undefined;
  });
}

async function failure(promise: Promise<unknown>): Promise<FuseError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FuseError) return error;
    throw error;
  }
  throw new Error("expected a FuseError");
}

describe("durable waits", () => {
  it("a wait step waits its ms on the clock, then the next step runs", async () => {
    const clock = createVirtualClock();
    const t = await hubWith(
      {
        cool: {
          name: "cool",
          steps: [
            { id: "cool_off", wait: { ms: 86_400_000 } },
            { id: "after", call: "work.echo", input: "{ 'value': $steps.cool_off.dueAt }" },
          ],
          output: "$steps.after.value",
        },
      },
      { clock },
    );
    const run = await t.run("cool");
    expect(run.status).toBe("succeeded");
    expect(clock.delays).toContain(86_400_000);
    expect(run.output).toBe(new Date(1_000_000 + 86_400_000).toISOString());
    expect(step(run, "cool_off")).toMatchObject({ status: "succeeded", attempts: 0 });
  });

  it("a wait longer than one Node timer can take (24.8 days) is chained, not fired at once", async () => {
    const clock = createVirtualClock();
    const forty = 40 * 86_400_000;
    const t = await hubWith({ long: { name: "long", steps: [{ id: "later", wait: { ms: forty } }] } }, { clock });
    const run = await t.run("long");
    expect(run.status).toBe("succeeded");
    expect(clock.delays).toEqual(expect.arrayContaining([2 ** 31 - 1, forty - (2 ** 31 - 1)]));
    expect(run.output).toEqual({ later: { dueAt: new Date(1_000_000 + forty).toISOString() } });
  });

  it("a wait until a timestamp from an expression waits until then", async () => {
    const clock = createVirtualClock();
    const t = await hubWith({ until: { name: "until", steps: [{ id: "later", wait: { until: "$input.at" } }] } }, { clock });
    const at = new Date(1_000_000 + 5_000).toISOString();
    const run = await t.run("until", { at });
    expect(run.status).toBe("succeeded");
    expect(clock.delays).toContain(5_000);
    expect(run.output).toEqual({ later: { dueAt: at } });
  });

  it("a wait until something that is not a timestamp fails with EXPRESSION_FAILED naming step and expression", async () => {
    const t = await hubWith({ until: { name: "until", steps: [{ id: "later", wait: { until: "$input.at" } }] } });
    const run = await t.run("until", { at: "soonish" });
    expect(run.status).toBe("failed");
    expect(step(run, "later").error).toMatchObject({ code: "EXPRESSION_FAILED" });
    expect(step(run, "later").error!.message).toMatchInlineSnapshot(
      `"step "later" wait.until: expression "$input.at" gave "soonish", expected an ISO 8601 timestamp or epoch ms"`,
    );
  });

  it("a signal step shows its token while it waits; the signal completes it with its output; the token works once", async () => {
    const t = await hubWith({
      approve: {
        name: "approve",
        steps: [
          { id: "approval", signal: {} },
          { id: "after", call: "work.echo", input: "{ 'value': $steps.approval.approved }" },
        ],
        output: "$steps.after.value",
      },
    });
    const runId = await started(t, "approve");
    const waiting = await waitingStep(t, runId, "approval");
    expect(waiting.waiting).toMatchObject({ kind: "signal" });
    const token = waiting.waiting!.token!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await t.hub.call("taskmaster.signal", { token, output: { approved: "yes" } })).toEqual({ runId, step: "approval" });
    const run = await ended(t, runId);
    expect(run.status).toBe("succeeded");
    expect(run.output).toBe("yes");
    expect(step(run, "approval").waiting).toBeUndefined();

    const again = await failure(t.hub.call("taskmaster.signal", { token, output: { approved: "no" } }));
    expect(again.code).toBe("CONFLICT");
    const unknown = await failure(t.hub.call("taskmaster.signal", { token: "x".repeat(43) }));
    expect(unknown.code).toBe("NOT_FOUND");
    expect(unknown.message).toBe("no step waits for this token");
  });

  it("a signal step with a call hands the token to it as $token", async () => {
    const t = await hubWith({
      ask: { name: "ask", steps: [{ id: "approval", call: "work.echo", input: "{ 'value': $token }", signal: {} }] },
    });
    const runId = await started(t, "ask");
    const waiting = await waitingStep(t, runId, "approval");
    await waitFor("the call with the token", () => t.work.callsOf("echo").length === 1);
    expect((t.work.callsOf("echo")[0]!.input as { value: string }).value).toBe(waiting.waiting!.token);
    await t.hub.call("taskmaster.signal", { token: waiting.waiting!.token, output: 42 });
    expect((await ended(t, runId)).output).toEqual({ approval: 42 });
  });

  it("a signal that does not come in time fails the step with DEADLINE_EXCEEDED, and onError applies", async () => {
    const t = await hubWith({
      strict: { name: "strict", steps: [{ id: "approval", signal: { timeoutMs: 50 } }] },
      lenient: {
        name: "lenient",
        steps: [
          { id: "approval", signal: { timeoutMs: 50 }, onError: [{ on: ["DEADLINE_EXCEEDED"], then: "continue" }] },
          { id: "reminder", call: "work.echo", input: "{ 'value': $errors.approval.code }" },
        ],
        output: "$steps.reminder.value",
      },
    });
    const strict = await t.run("strict");
    expect(strict.status).toBe("failed");
    expect(strict.error).toMatchObject({ code: "DEADLINE_EXCEEDED", message: 'step "approval" failed: step "approval" waited 50 ms for a signal in vain' });
    const token = step(strict, "approval").waiting?.token;
    expect(token).toBeUndefined();
    const lenient = await t.run("lenient");
    expect(lenient.status).toBe("succeeded");
    expect(lenient.output).toBe("DEADLINE_EXCEEDED");
  });

  it("an await step completes with the payload of the first event its match accepts", async () => {
    const t = await hubWith({
      pay: {
        name: "pay",
        steps: [{ id: "settled", await: { event: "payment.settled", match: "$event.orderId = $input.orderId" } }],
        output: "$steps.settled.amount",
      },
    });
    const runId = await started(t, "pay", { orderId: "o-2" });
    expect((await waitingStep(t, runId, "settled")).waiting).toEqual({ kind: "event", event: "payment.settled" });
    await t.hub.call("work.emit", { topic: "payment.settled", payload: { orderId: "o-1", amount: 1 } });
    await t.hub.call("work.emit", { topic: "payment.settled", payload: { orderId: "o-2", amount: 2 } });
    const run = await ended(t, runId);
    expect(run.status).toBe("succeeded");
    expect(run.output).toBe(2);
  });

  it("an await step with a timeout fails with DEADLINE_EXCEEDED when no event matches in time", async () => {
    const t = await hubWith({ pay: { name: "pay", steps: [{ id: "settled", await: { event: "payment.settled", timeoutMs: 50 } }] } });
    const run = await t.run("pay");
    expect(run.status).toBe("failed");
    expect(run.error!.code).toBe("DEADLINE_EXCEEDED");
  });

  it("a retry's backoff shows as a waiting step with its due time", async () => {
    const t = await hubWith({
      slow: { name: "slow", steps: [{ id: "again", call: "work.flaky", input: "{ 'key': 'k', 'failTimes': 1 }", retry: { attempts: 2, backoffMs: 60_000, maxBackoffMs: 60_000 } }] },
    });
    const before = Date.now();
    const runId = await started(t, "slow");
    const waiting = await waitingStep(t, runId, "again");
    expect(waiting.waiting!.kind).toBe("retry");
    expect(waiting.waiting!.dueAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(waiting.attempts).toBe(1);
    await t.hub.call("taskmaster.cancel", { runId });
  });
});
