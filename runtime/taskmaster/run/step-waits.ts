import { CancelledError, FuseError, toFuseError } from "../../errors/index.ts";
import { ErrorCode, TaskErrorCode } from "../../protocol/index.ts";
import type { Bindings } from "../schema/expression.ts";
import type { StepDefinition } from "../schema/task-definition.ts";
import { callWithRetry } from "./call-with-retry.ts";
import { sleepUntil } from "./clock.ts";
import { evaluate, truthy } from "./evaluate-step.ts";
import type { StepWait } from "./run-types.ts";
import type { StepEnv } from "./step-env.ts";
import { toRunError, type StepOutcome } from "./step-outcome.ts";

/** The timestamp a `wait.until` gave, as epoch ms. @throws EXPRESSION_FAILED when it is not one. */
async function dueTime(step: StepDefinition, bindings: Bindings, env: StepEnv): Promise<number> {
  const { ms, until } = step.wait!;
  if (ms !== undefined) return env.clock.now() + ms;
  const value = await evaluate(step, "wait.until", until!, bindings);
  const at = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isFinite(at)) return at;
  throw new FuseError(TaskErrorCode.EXPRESSION_FAILED, `step "${step.id}" wait.until: expression ${JSON.stringify(until!.source)} gave ${JSON.stringify(value) ?? "nothing"}, expected an ISO 8601 timestamp or epoch ms`, {
    details: { step: step.id, field: "wait.until", expression: until!.source },
  });
}

/** A durable timer: the due time is stored before the wait, so a restart waits for the same instant, once. */
export async function waitTimer(step: StepDefinition, bindings: Bindings, env: StepEnv): Promise<StepOutcome> {
  const resumed = env.record.waiting?.kind === "timer" ? env.record.waiting : undefined;
  const dueAt = resumed?.dueAt ?? (await dueTime(step, bindings, env));
  const wait: StepWait = { kind: "timer", dueAt };
  if (!resumed) await env.waits.save(env.runId, step.id, wait);
  env.onWaiting(wait);
  await sleepUntil(env.clock, dueAt, env.signal);
  return { status: "succeeded", output: { dueAt: new Date(dueAt).toISOString() } };
}

const timedOut = (step: StepDefinition, what: string, ms: number | undefined): StepOutcome => ({
  status: "failed",
  error: { code: ErrorCode.DEADLINE_EXCEEDED, message: `step "${step.id}" waited ${ms ?? "?"} ms for ${what} in vain`, details: { step: step.id } },
});

const abandoned = (): StepOutcome => ({ status: "failed", error: toRunError(new CancelledError("the step was abandoned")) });

/**
 * Waits for an outcome settled through the wait board (an event, a signal), the stored
 * timeout, or the run giving up. The waiter is listed before anything is awaited, so a resumed
 * step listens from the moment its run is back; a fresh wait is stored before it is shown.
 */
async function waitForOutcome(
  step: StepDefinition,
  env: StepEnv,
  wait: StepWait,
  fresh: boolean,
  listen: (settle: (outcome: StepOutcome) => void) => () => void,
  what: string,
  timeoutMs: number | undefined,
  before?: () => Promise<StepOutcome | undefined>,
): Promise<StepOutcome> {
  let settle!: (outcome: StepOutcome) => void;
  const settled = new Promise<StepOutcome>((resolve) => (settle = resolve));
  const unlisten = listen(settle);
  try {
    if (fresh) await env.waits.save(env.runId, step.id, wait);
    else {
      // Decided while this taskmaster was down (or by a signal during its restart).
      const stored = await env.waits.decided(env.runId, step.id);
      if (stored) return stored;
    }
    env.onWaiting(wait);
    const early = await before?.();
    if (early) return early;
    const timer = wait.dueAt === undefined ? new Promise<void>((resolve) => env.signal.addEventListener("abort", () => resolve(), { once: true })) : sleepUntil(env.clock, wait.dueAt, env.signal);
    const first = await Promise.race([settled, timer.then(() => undefined)]);
    if (first) return first;
    if (env.signal.aborted) return abandoned();
    return await env.waits.decide(env.runId, step.id, wait.kind, timedOut(step, what, timeoutMs));
  } finally {
    unlisten();
  }
}

/** Waits for a durable bus event of the step's topic that its `match` accepts; the output is the event's payload. */
export function awaitEvent(step: StepDefinition, bindings: Bindings, env: StepEnv): Promise<StepOutcome> {
  const { event, match, timeoutMs } = step.await!;
  const resumed = env.record.waiting?.kind === "event" ? env.record.waiting : undefined;
  const wait: StepWait = resumed ?? { kind: "event", event, ...(timeoutMs ? { dueAt: env.clock.now() + timeoutMs } : {}) };
  const matches = async (payload: unknown) => (match ? truthy(await evaluate(step, "await.match", match, { ...bindings, event: payload })) : true);
  return waitForOutcome(step, env, wait, !resumed, (settle) => env.waits.board.onEvent(event, { runId: env.runId, stepId: step.id, matches, settle }), `event "${event}"`, timeoutMs);
}

/**
 * Hands out a single-use token (stored before anyone can see it: in the step record, and as
 * `$token` to the step's call) and waits for `taskmaster.signal`; the output is the signal's.
 */
export function awaitSignal(step: StepDefinition, bindings: Bindings, env: StepEnv): Promise<StepOutcome> {
  const timeoutMs = step.signal!.timeoutMs;
  const resumed = env.record.waiting?.kind === "signal" && env.record.waiting.token ? env.record.waiting : undefined;
  const wait: StepWait = resumed ?? { kind: "signal", token: env.waits.newToken(), ...(timeoutMs ? { dueAt: env.clock.now() + timeoutMs } : {}) };
  // The call (a mail with an approval link, say) goes out once the token is stored; after a
  // restart it goes again with the same idempotency key.
  const callOut = step.call
    ? async (): Promise<StepOutcome | undefined> => {
        try {
          const input = await evaluate(step, "input", step.input, { ...bindings, token: wait.token! });
          // Its backoffs are not stored: the stored wait is the token.
          await callWithRetry(step, input, `${env.runId}/${step.id}`, env, undefined);
          env.onWaiting(wait);
          return undefined;
        } catch (error) {
          // The token dies with the step: a late signal is told it was used.
          return env.waits.decide(env.runId, step.id, "signal", { status: "failed", error: toRunError(toFuseError(error)) });
        }
      }
    : undefined;
  return waitForOutcome(step, env, wait, !resumed, (settle) => env.waits.board.onSignal(wait.token!, { runId: env.runId, stepId: step.id, settle }), "a signal", timeoutMs, callOut);
}
