import type { FuseError } from "../../errors/index.ts";
import { safeParseTask } from "../schema/parse-task.ts";
import type { TaskDefinition } from "../schema/task-definition.ts";
import type { Payloads } from "../store/payloads.ts";
import { recordOf, type RunStore, type StoredRun } from "../store/run-store.ts";
import { readStoredSteps } from "../store/stored-steps.ts";
import type { StoredWait, WaitStore } from "../store/wait-store.ts";
import type { Clock } from "./clock.ts";
import type { RunRecord, StepRecord } from "./run-types.ts";

export interface RestoreRunOptions {
  store: RunStore;
  payloads: Payloads;
  waitStore: WaitStore;
  clock: Clock;
}

/** A run ready to resume, or the failed record of one whose stored task schema no longer parses. */
export type RestoredRun =
  | { ok: true; task: TaskDefinition; run: RunRecord; restored: Record<string, StepRecord>; compensations: Record<string, StepRecord> }
  | { ok: false; error: FuseError; failed: RunRecord };

/** Reads back what an unfinished run needs to resume: the task it was started with, its input, its steps as they restart. */
export async function restoreRun(stored: StoredRun, options: RestoreRunOptions): Promise<RestoredRun> {
  const { store, payloads, waitStore, clock } = options;
  const parsed = safeParseTask(stored.definition, { file: stored.file });
  if (!parsed.ok) {
    const failed: RunRecord = { ...recordOf(stored), status: "failed", error: { code: parsed.error.code, message: parsed.error.message }, endedAt: clock.now() };
    return { ok: false, error: parsed.error, failed };
  }
  const waits = new Map((await waitStore.ofRun(stored.id)).map((w) => [w.stepId, w]));
  const restored: Record<string, StepRecord> = {};
  const { steps, compensations } = await readStoredSteps(store, payloads, stored.id, true);
  for (const step of steps.values()) restored[step.id] = restoredStep(step, waits.get(step.id), clock.now());
  const run = { ...recordOf(stored), input: await payloads.resolve(stored.input) };
  return { ok: true, task: parsed.value, run, restored, compensations: Object.fromEntries(compensations) };
}

/**
 * A step record as a resumed run starts from. A step in flight or waiting when the taskmaster
 * died runs again (same idempotency key; its attempts add up), keeping what it waited for: a
 * timer's or retry's due time, an event's timeout, a signal's token. A wait decided while the
 * taskmaster was down (a signal, an event) ends the step with that outcome.
 */
function restoredStep(step: StepRecord, wait: StoredWait | undefined, now: number): StepRecord {
  if (step.status !== "running" && step.status !== "waiting") return step;
  const record: StepRecord = { id: step.id, status: "pending", attempts: step.attempts };
  if (step.startedAt !== undefined) record.startedAt = step.startedAt;
  if (!wait) return record;
  const { outcome } = wait;
  if (outcome?.status === "succeeded") return { ...record, status: "succeeded", output: outcome.output, endedAt: now };
  if (outcome?.status === "failed") return { ...record, status: "failed", error: outcome.error, endedAt: now };
  const waiting: StepRecord["waiting"] = { kind: wait.kind };
  if (wait.dueAt !== undefined) waiting.dueAt = wait.dueAt;
  if (wait.event !== undefined) waiting.event = wait.event;
  if (wait.token !== undefined) waiting.token = wait.token;
  return { ...record, waiting };
}
