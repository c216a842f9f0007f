import { HandlerError, toFuseError, type FuseError } from "../../errors/index.ts";
import { sleep, type Clock } from "./clock.ts";
import type { Bindings, Expression } from "../schema/expression.ts";
import { backoffDelay, shouldRetry } from "./retry-policy.ts";
import type { RunError } from "./run-types.ts";
import type { StepDefinition } from "../schema/task-definition.ts";

/**
 * How the taskmaster reaches an endpoint: `ctx.call` in the actor, anything alike in tests.
 * One call may run the handler at most once (`ctx.call` repeats on its own only a request that
 * reached no handler), so the attempts a step records are the times its handler could have run.
 */
export type StepCall = (
  target: string,
  input: unknown,
  options: { timeoutMs: number; idempotencyKey: string },
) => Promise<unknown>;

export interface StepEnv {
  runId: string;
  call: StepCall;
  clock: Clock;
  /** Aborts when the run no longer wants the result (cancelled, or failed elsewhere). */
  signal: AbortSignal;
  /** Told before every call, retries and fan-out items included. */
  onAttempt(): void;
}

export type StepOutcome =
  | { status: "succeeded"; output: unknown }
  | { status: "skipped" }
  | { status: "failed"; error: RunError };

export function toRunError(error: FuseError): RunError {
  const out: RunError = { code: error.code, message: error.message };
  if (error.details !== undefined) out.details = error.details;
  if (error.actor !== undefined) out.actor = error.actor;
  return out;
}

async function evaluate(step: StepDefinition, key: string, expr: Expression, bindings: Bindings): Promise<unknown> {
  try {
    return await expr.evaluate(bindings);
  } catch (error) {
    const e = error as { message?: string };
    throw new HandlerError(`step "${step.id}" ${key}: expression failed: ${e.message ?? String(error)}`, { cause: error });
  }
}

function truthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}

/**
 * One call with the step's retry policy. The idempotency key is the same on every attempt
 * and on a re-run after a taskmaster restart, so a worker can tell a repeat from a new call.
 */
async function callWithRetry(step: StepDefinition, input: unknown, key: string, env: StepEnv): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    env.onAttempt();
    try {
      return await env.call(step.call, input, { timeoutMs: step.timeoutMs, idempotencyKey: key });
    } catch (thrown) {
      const error = toFuseError(thrown);
      if (env.signal.aborted || !shouldRetry(step.retry, attempt, error.code)) throw error;
      await sleep(env.clock, backoffDelay(step.retry, attempt), env.signal);
      if (env.signal.aborted) throw error;
    }
  }
}

async function fanOut(step: StepDefinition, bindings: Bindings, items: unknown[], env: StepEnv): Promise<unknown[]> {
  const outputs = new Array<unknown>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed && !env.signal.aborted) {
      const index = next++;
      const itemBindings = { ...bindings, item: items[index], index };
      try {
        const input = await evaluate(step, "input", step.input, itemBindings);
        outputs[index] = await callWithRetry(step, input, `${env.runId}/${step.id}/${index}`, env);
      } catch (error) {
        // One item failing fails the step: the other workers take no further items.
        failed = true;
        throw error;
      }
    }
  };
  const width = Math.min(items.length, step.concurrency ?? items.length);
  await Promise.all(Array.from({ length: width }, worker));
  return outputs;
}

/** Runs one step to its outcome: condition, fan-out or single call, retries. Never throws. */
export async function executeStep(step: StepDefinition, bindings: Bindings, env: StepEnv): Promise<StepOutcome> {
  try {
    if (step.when && !truthy(await evaluate(step, "when", step.when, bindings))) return { status: "skipped" };
    if (step.forEach) {
      const list = await evaluate(step, "forEach", step.forEach, bindings);
      const items = list === undefined ? [] : Array.isArray(list) ? list : [list];
      return { status: "succeeded", output: await fanOut(step, bindings, items, env) };
    }
    const input = await evaluate(step, "input", step.input, bindings);
    return { status: "succeeded", output: await callWithRetry(step, input, `${env.runId}/${step.id}`, env) };
  } catch (error) {
    return { status: "failed", error: toRunError(toFuseError(error)) };
  }
}
