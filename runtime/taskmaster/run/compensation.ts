import { toFuseError } from "../../errors/index.ts";
import type { StepDefinition, TaskDefinition } from "../schema/task-definition.ts";
import { callWithRetry } from "./call-with-retry.ts";
import { evaluate } from "./evaluate-step.ts";
import type { RunError, StepRecord } from "./run-types.ts";
import type { StepEnv } from "./step-env.ts";
import { toRunError } from "./step-outcome.ts";

export interface CompensationEnv extends Pick<StepEnv, "call" | "clock" | "waits" | "services"> {
  runId: string;
  input: unknown;
  /** Aborts when the taskmaster stops: the compensations go on at its next start. */
  signal: AbortSignal;
  /** Told every change of a compensation's record (to persist it). */
  onRecord(record: StepRecord): void;
}

/** The steps whose compensation runs: succeeded steps that declare one. */
export function compensable(task: TaskDefinition, steps: Record<string, StepRecord>): StepDefinition[] {
  return task.steps.filter((s) => s.compensate && steps[s.id]?.status === "succeeded");
}

/** Every prerequisite of a step, transitively. */
function ancestorsOf(task: TaskDefinition, id: string, seen = new Set<string>()): Set<string> {
  for (const before of task.byId.get(id)!.after) {
    if (seen.has(before)) continue;
    seen.add(before);
    ancestorsOf(task, before, seen);
  }
  return seen;
}

/** The call a compensation makes, as a step `callWithRetry` understands: its own endpoint, deadline and retries. */
function asStep(step: StepDefinition): StepDefinition {
  const { call, target, timeoutMs, retry } = step.compensate!;
  return { ...step, call, target, timeoutMs, retry };
}

/**
 * Runs the compensations of a failed run's succeeded steps in reverse dependency order: a
 * step's compensation starts once the compensations of every step after it (that has one)
 * have ended. Independent ones run together. Each call carries the stable key
 * `<runId>/<stepId>/compensate`; one recorded as succeeded (`done`) is not made again. A
 * failed compensation does not stop the others (each undoes what it can); the errors of the
 * failed ones are returned.
 */
export async function runCompensations(task: TaskDefinition, steps: Record<string, StepRecord>, done: Record<string, StepRecord>, env: CompensationEnv): Promise<{ step: string; error: RunError }[]> {
  const todo = compensable(task, steps);
  const failures: { step: string; error: RunError }[] = [];
  const ended = new Map<string, Promise<void>>();
  const outputs: Record<string, unknown> = Object.fromEntries(Object.values(steps).filter((r) => r.status === "succeeded").map((r) => [r.id, r.output]));
  const compensateOne = async (step: StepDefinition): Promise<void> => {
    const later = todo.filter((other) => other !== step && ancestorsOf(task, other.id).has(step.id));
    await Promise.all(later.map(whenDone));
    const previous = done[step.id];
    if (previous?.status === "succeeded") return;
    if (env.signal.aborted) return;
    let record: StepRecord = { id: step.id, status: "running", attempts: previous?.attempts ?? 0, startedAt: env.clock.now() };
    const update = (patch: Partial<StepRecord>) => env.onRecord((record = { ...record, ...patch }));
    const stepEnv: StepEnv = {
      runId: env.runId,
      call: env.call,
      clock: env.clock,
      signal: env.signal,
      waits: env.waits,
      services: env.services,
      record,
      onAttempt: () => update({ attempts: record.attempts + 1 }),
      onWaiting: () => undefined,
      onChild: () => undefined,
    };
    try {
      const input = await evaluate(step, "compensate.input", step.compensate!.input, { input: env.input, steps: outputs });
      const output = await callWithRetry(asStep(step), input, `${env.runId}/${step.id}/compensate`, stepEnv, undefined);
      update({ status: "succeeded", output, endedAt: env.clock.now() });
    } catch (error) {
      // Stopped with the taskmaster: recorded as running, it is made again (same key) at the next start.
      if (env.signal.aborted) return;
      const runError = toRunError(toFuseError(error));
      failures.push({ step: step.id, error: runError });
      update({ status: "failed", error: runError, endedAt: env.clock.now() });
    }
  };
  // Each compensation once, started by the first that waits for it (the DAG has no cycle).
  function whenDone(step: StepDefinition): Promise<void> {
    let promise = ended.get(step.id);
    if (!promise) ended.set(step.id, (promise = compensateOne(step)));
    return promise;
  }
  await Promise.all(todo.map(whenDone));
  return failures;
}
