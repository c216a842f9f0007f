import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../helpers/index.ts";
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

describe("taskmaster runs", () => {
  it("runs independent steps side by side and a step reading another's output after it", async () => {
    const t = await hubWith({
      pair: {
        name: "pair",
        steps: [
          { id: "a", call: "work.echo", input: "{ 'value': 'a', 'delayMs': 30 }" },
          { id: "b", call: "work.echo", input: "{ 'value': 'b', 'delayMs': 30 }" },
          { id: "c", call: "work.echo", input: "{ 'value': $steps.a.value & $steps.b.value }" },
        ],
        output: "$steps.c.value",
      },
    });
    const run = await t.run("pair");
    expect(run.status).toBe("succeeded");
    expect(run.output).toBe("ab");
    const [a, b, c] = ["a", "b", "c"].map((id) => step(run, id));
    expect(Math.max(a!.startedAt!, b!.startedAt!)).toBeLessThan(Math.min(a!.endedAt!, b!.endedAt!));
    expect(c!.startedAt!).toBeGreaterThanOrEqual(Math.max(a!.endedAt!, b!.endedAt!));
  });

  it("fails the task when a step with onError fail fails, and runs nothing after it", async () => {
    const t = await hubWith({
      broken: {
        name: "broken",
        steps: [
          { id: "boom", call: "work.fail" },
          { id: "after", call: "work.echo", needs: ["boom"] },
        ],
      },
    });
    const run = await t.run("broken");
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ code: "HANDLER_FAILED", message: 'step "boom" failed: work failed on purpose' });
    expect(step(run, "boom")).toMatchObject({ status: "failed", attempts: 1, error: { code: "HANDLER_FAILED", actor: "work" } });
    expect(step(run, "after").status).toBe("pending");
    expect(t.work.callsOf("echo")).toHaveLength(0);
  });

  it("marks a step in flight cancelled when another step fails the task", async () => {
    const t = await hubWith({
      racing: { name: "racing", steps: [{ id: "slow", call: "work.hang" }, { id: "boom", call: "work.fail" }] },
    });
    const run = await t.run("racing");
    expect(run.status).toBe("failed");
    expect(step(run, "slow").status).toBe("cancelled");
  });

  it("continues past a step with onError continue, and the task succeeds", async () => {
    const t = await hubWith({
      lenient: {
        name: "lenient",
        steps: [
          { id: "optional", call: "work.fail", onError: "continue" },
          { id: "next", call: "work.echo", input: "{ 'value': $exists($steps.optional) }", trigger: "all_done" },
        ],
        output: "$steps.next.value",
      },
    });
    const run = await t.run("lenient");
    expect(run.status).toBe("succeeded");
    expect(step(run, "optional")).toMatchObject({ status: "failed", error: { code: "HANDLER_FAILED" } });
    expect(run.output).toBe(false);
  });

  it("retries with backoff on the injected clock until the step succeeds", async () => {
    const clock = createVirtualClock();
    const t = await hubWith(
      {
        retrying: {
          name: "retrying",
          steps: [{ id: "flaky", call: "work.flaky", input: "{ 'key': 'k1', 'failTimes': 2 }", retry: { attempts: 4, backoffMs: 100, factor: 3 } }],
        },
      },
      { clock },
    );
    const run = await t.run("retrying");
    expect(run.status).toBe("succeeded");
    expect(step(run, "flaky")).toMatchObject({ status: "succeeded", attempts: 3, output: { attempts: 3 } });
    expect(clock.delays).toEqual([100, 300]);
    expect(new Set(t.work.callsOf("flaky").map((c) => c.idempotencyKey))).toEqual(new Set([`${run.id}/flaky`]));
  });

  it("gives up after the last attempt", async () => {
    const t = await hubWith(
      { stubborn: { name: "stubborn", steps: [{ id: "flaky", call: "work.flaky", input: "{ 'key': 'k2', 'failTimes': 5 }", retry: { attempts: 2 } }] } },
      { clock: createVirtualClock() },
    );
    const run = await t.run("stubborn");
    expect(run.status).toBe("failed");
    expect(step(run, "flaky")).toMatchObject({ status: "failed", attempts: 2 });
  });

  it("fails a step whose endpoint does not answer within its timeout", async () => {
    const t = await hubWith({ stuck: { name: "stuck", steps: [{ id: "wait", call: "work.hang", timeoutMs: 200 }] } });
    const run = await t.run("stuck");
    expect(run.status).toBe("failed");
    expect(step(run, "wait")).toMatchObject({ status: "failed", error: { code: "DEADLINE_EXCEEDED" } });
  });

  it("fans out over an array and keeps the outputs in the input's order", async () => {
    const t = await hubWith({
      fan: {
        name: "fan",
        input: { type: "object", properties: { items: { type: "array", items: { type: "number" } } }, required: ["items"] },
        steps: [{ id: "each", call: "work.echo", forEach: "$input.items", input: "{ 'value': $item * 10 + $index, 'delayMs': 40 - $item * 10 }" }],
        output: "$steps.each.value",
      },
    });
    const run = await t.run("fan", { items: [1, 2, 3] });
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual([10, 21, 32]);
    expect(step(run, "each").attempts).toBe(3);
    expect(t.work.callsOf("echo").map((c) => c.idempotencyKey).sort()).toEqual([0, 1, 2].map((i) => `${run.id}/each/${i}`));
  });

  it("skips a step whose condition is false and still runs the steps after it that say none_failed", async () => {
    const t = await hubWith({
      cond: {
        name: "cond",
        steps: [
          { id: "maybe", call: "work.echo", when: "$input.loud = true", input: "{ 'value': 'LOUD' }" },
          { id: "always", call: "work.echo", input: "{ 'value': $exists($steps.maybe) ? 'loud' : 'quiet' }", trigger: "none_failed" },
        ],
        output: "$steps.always.value",
      },
    });
    const quiet = await t.run("cond", { loud: false });
    expect(step(quiet, "maybe").status).toBe("skipped");
    expect(quiet.output).toBe("quiet");
    const loud = await t.run("cond", { loud: true });
    expect(step(loud, "maybe").status).toBe("succeeded");
    expect(loud.output).toBe("loud");
  });

  it("cancels a run: the step in flight is abandoned and the rest never starts", async () => {
    const t = await hubWith({
      long: { name: "long", steps: [{ id: "wait", call: "work.hang" }, { id: "then", call: "work.echo", needs: ["wait"] }] },
    });
    const { id } = await t.hub.call<{ id: string }>("taskmaster.run", { task: "long" });
    await waitFor("the hanging step to be called", () => t.work.callsOf("hang").length === 1);
    const cancelled = await t.hub.call<RunDetail>("taskmaster.cancel", { runId: id });
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.error?.code).toBe("CANCELLED");
    expect(step(cancelled, "wait").status).toBe("cancelled");
    expect(step(cancelled, "then").status).toBe("pending");
    t.work.release();
    const later = await t.hub.call<RunDetail>("taskmaster.status", { runId: id });
    expect(later.status).toBe("cancelled");
    expect(t.work.callsOf("echo")).toHaveLength(0);
  });

  it("refuses input that does not match the task's input schema", async () => {
    const t = await hubWith({
      typed: { name: "typed", input: { type: "object", properties: { n: { type: "number" } }, required: ["n"] }, steps: [{ id: "a", call: "work.echo" }] },
    });
    const result = await t.hub.tryCall("taskmaster.run", { task: "typed", input: { n: "one" } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("VALIDATION_FAILED");
    expect(result.error.message).toMatchInlineSnapshot(`"task "typed" input.n: Invalid input: expected number, received string"`);
  });

  it("starts one run for two run requests with the same idempotency key", async () => {
    const t = await hubWith({ once: { name: "once", steps: [{ id: "a", call: "work.echo" }] } });
    const first = await t.hub.call<{ id: string }>("taskmaster.run", { task: "once" }, { idempotencyKey: "req-1" });
    const second = await t.hub.call<{ id: string }>("taskmaster.run", { task: "once" }, { idempotencyKey: "req-1" });
    expect(second.id).toBe(first.id);
  });

  it("calls a step once for concurrent run requests with one idempotency key, waited for or not", async () => {
    const t = await hubWith({ once: { name: "once", steps: [{ id: "a", call: "work.echo" }] } });
    const requests = Array.from({ length: 6 }, (_, i) => t.hub.call<{ id: string }>("taskmaster.run", { task: "once", ...(i % 2 ? { wait: true } : {}) }, { idempotencyKey: "req-2" }));
    const runs = await Promise.all(requests);
    expect(new Set(runs.map((r) => r.id)).size).toBe(1);
    await t.hub.call("taskmaster.run", { task: "once", wait: true }, { idempotencyKey: "req-2" });
    expect(t.work.callsOf("echo")).toHaveLength(1);
  });
});
