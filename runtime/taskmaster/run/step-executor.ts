import { toFuseError } from "../../errors/index.ts";
import type { Bindings } from "../schema/expression.ts";
import type { StepDefinition } from "../schema/task-definition.ts";
import { callWithRetry } from "./call-with-retry.ts";
import { evaluate, truthy } from "./evaluate-step.ts";
import type { StepEnv } from "./step-env.ts";
import { toRunError, type StepOutcome } from "./step-outcome.ts";
import { awaitEvent, awaitSignal, waitTimer } from "./step-waits.ts";

export { toRunError, type StepOutcome } from "./step-outcome.ts";
export type { StepCall, StepEnv, WaitEnv, RunServices } from "./step-env.ts";

/** Whether entering `running` counts a call: a step with a single call (not a fan-out, not a wait). */
export function countsCallOnEntry(step: StepDefinition): boolean {
  return !step.forEach && step.call !== undefined;
}

async function fanOut(step: StepDefinition, bindings: Bindings, items: unknown[], env: StepEnv): Promise<unknown[]> {
  const outputs = new Array<unknown>(items.length);
  // Items that succeeded before a restart (or in the run a rerun reruns) are not called again.
  const finished = await env.services.finishedItems(env.runId, step.id);
  for (const [index, output] of finished) if (index < items.length) outputs[index] = output;
  const todo = items.map((_item, index) => index).filter((index) => !finished.has(index));
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < todo.length && !failed && !env.signal.aborted) {
      const index = todo[next++]!;
      const itemBindings = { ...bindings, item: items[index], index };
      try {
        const input = await evaluate(step, "input", step.input, itemBindings);
        // An item's backoff is not stored: a restart re-runs the unfinished items (same keys).
        outputs[index] = await callWithRetry(step, input, `${env.runId}/${step.id}/${index}`, env, undefined);
        env.services.itemDone(env.runId, step.id, index, outputs[index]);
      } catch (error) {
        // One item failing fails the step: the other workers take no further items.
        failed = true;
        throw error;
      }
    }
  };
  const width = Math.min(todo.length, step.concurrency ?? todo.length);
  await Promise.all(Array.from({ length: width }, worker));
  return outputs;
}

/** Runs one step to its outcome: condition, then a call (fan-out, retries), a timer, an event or a signal. Never throws. */
export async function executeStep(step: StepDefinition, bindings: Bindings, env: StepEnv): Promise<StepOutcome> {
  const resumed = env.record.waiting;
  try {
    // A step that was waiting when the taskmaster stopped has passed its condition already;
    // not evaluating it again also lets a resumed await step listen before anything else runs.
    if (step.when && !resumed && !truthy(await evaluate(step, "when", step.when, bindings))) return { status: "skipped" };
    if (step.kind === "wait") return await waitTimer(step, bindings, env);
    if (step.kind === "await") return await awaitEvent(step, bindings, env);
    if (step.kind === "signal") return await awaitSignal(step, bindings, env);
    if (step.kind === "task") {
      const input = await evaluate(step, "input", step.input, bindings);
      return await env.services.runChild({ runId: env.runId, stepId: step.id }, step.task!, input, env.signal, env.onChild);
    }
    if (step.forEach) {
      const list = await evaluate(step, "forEach", step.forEach, bindings);
      const items = list === undefined ? [] : Array.isArray(list) ? list : [list];
      return { status: "succeeded", output: await fanOut(step, bindings, items, env) };
    }
    const input = await evaluate(step, "input", step.input, bindings);
    const durable = { firstAttempt: env.record.attempts, ...(resumed?.kind === "retry" && resumed.dueAt !== undefined ? { resumeAt: resumed.dueAt } : {}) };
    return { status: "succeeded", output: await callWithRetry(step, input, `${env.runId}/${step.id}`, env, durable) };
  } catch (error) {
    return { status: "failed", error: toRunError(toFuseError(error)) };
  }
}
