import { CancelledError, toFuseError } from "../../errors/index.ts";
import { sleepUntil } from "./clock.ts";
import { backoffDelay, shouldRetry } from "./retry-policy.ts";
import type { StepDefinition } from "../schema/task-definition.ts";
import type { StepEnv } from "./step-env.ts";

/**
 * One call with the step's retry policy. The idempotency key is the same on every attempt
 * and on a re-run after a taskmaster restart, so a worker can tell a repeat from a new call.
 * With `durable`, each backoff's due time is stored first, so a restart keeps it (and the
 * attempt count goes on from `firstAttempt`); `resumeAt` is such a stored due time.
 */
export async function callWithRetry(step: StepDefinition, input: unknown, key: string, env: StepEnv, durable: { firstAttempt: number; resumeAt?: number } | undefined): Promise<unknown> {
  if (durable?.resumeAt !== undefined) {
    env.onWaiting({ kind: "retry", dueAt: durable.resumeAt });
    await sleepUntil(env.clock, durable.resumeAt, env.signal);
    if (env.signal.aborted) throw new CancelledError("the step was abandoned");
    env.onWaiting(undefined);
  }
  for (let attempt = durable?.firstAttempt ?? 1; ; attempt++) {
    env.onAttempt();
    try {
      return await env.call(step.call!, input, { timeoutMs: step.timeoutMs, idempotencyKey: key });
    } catch (thrown) {
      const error = toFuseError(thrown);
      if (env.signal.aborted || !shouldRetry(step.retry, attempt, error.code)) throw error;
      const dueAt = env.clock.now() + backoffDelay(step.retry, attempt);
      if (durable) {
        await env.waits.save(env.runId, step.id, { kind: "retry", dueAt });
        env.onWaiting({ kind: "retry", dueAt });
      }
      await sleepUntil(env.clock, dueAt, env.signal);
      if (env.signal.aborted) throw error;
      if (durable) env.onWaiting(undefined);
    }
  }
}

