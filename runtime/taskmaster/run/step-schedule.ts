import type { TaskDefinition } from "../schema/task-definition.ts";
import { isSettledStep, type StepRecord } from "./run-types.ts";
import { shouldRun } from "./trigger-rules.ts";

/** Which steps wait on each step: worked out once per task, so a settled step looks only at its dependents. */
export interface StepSchedule {
  readonly task: TaskDefinition;
  /** For each step, the steps that list it among their prerequisites (`after`), in schema order. */
  readonly dependents: ReadonlyMap<string, readonly string[]>;
}

/** What to do next: the steps to start and the steps to mark skipped (their trigger rule said no). */
export interface StepDecisions {
  run: string[];
  skip: string[];
}

export function createStepSchedule(task: TaskDefinition): StepSchedule {
  const dependents = new Map<string, string[]>(task.steps.map((s) => [s.id, []]));
  for (const step of task.steps) for (const before of step.after) dependents.get(before)!.push(step.id);
  return { task, dependents };
}

/** A step still to decide: not settled, not started. A restored in-flight step comes back `pending`. */
const undecided = (record: StepRecord) => record.status === "pending" || record.status === "cancelled";

/**
 * Decides the steps whose prerequisites have all settled, looking only at `candidates` (the
 * dependents of what just settled, or every step when a run starts or resumes). A step its
 * trigger rule skips settles too, so its own dependents are decided in the same pass: a skip
 * spreads down a chain at once. `steps` is read as if the skips were already applied. Pure.
 */
export function decideSteps(schedule: StepSchedule, steps: Readonly<Record<string, StepRecord>>, candidates: Iterable<string>): StepDecisions {
  const { task, dependents } = schedule;
  const decided = new Set<string>();
  const decisions: StepDecisions = { run: [], skip: [] };
  // The records with this pass's skips applied; copied only once a step is skipped (rare).
  let view = steps;
  const queue = [...candidates];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    if (decided.has(id) || !undecided(view[id]!)) continue;
    const step = task.byId.get(id)!;
    if (!step.after.every((before) => isSettledStep(view[before]!.status))) continue;
    decided.add(id);
    if (shouldRun(step, view, task)) {
      decisions.run.push(id);
      continue;
    }
    view = { ...view, [id]: { ...view[id]!, status: "skipped" } };
    decisions.skip.push(id);
    queue.push(...dependents.get(id)!);
  }
  return decisions;
}
