import { FuseError, ValidationError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import type { TaskDefinition } from "../schema/task-definition.ts";
import type { RunStatus, StepRecord } from "./run-types.ts";

export interface RerunPlan {
  /** Step records the new run starts from: the reused outputs. */
  reused: Record<string, StepRecord>;
  /** Fan-out steps whose succeeded items the new run keeps. */
  keepItemsOf: string[];
}

/** `from` and every step after it, transitively. */
function fromOnwards(task: TaskDefinition, from: string): Set<string> {
  const redo = new Set([from]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const step of task.steps) {
      if (!redo.has(step.id) && step.after.some((id) => redo.has(id))) {
        redo.add(step.id);
        grew = true;
      }
    }
  }
  return redo;
}

/**
 * Which outputs a rerun of a run reuses: every succeeded step's, except `from` and the steps
 * after it, and except steps whose compensation succeeded (what they did was undone). A
 * fan-out that did not succeed keeps its succeeded items (unless it is rerun from).
 * @throws VALIDATION_FAILED for an unknown `from`; CONFLICT for a run not over, or a
 *   succeeded run without `from` (nothing to rerun).
 */
export function planRerun(task: TaskDefinition, run: { id: string; status: RunStatus }, steps: readonly StepRecord[], compensated: ReadonlySet<string>, from?: string): RerunPlan {
  if (from !== undefined && !task.byId.has(from)) {
    throw new ValidationError(`run ${run.id}: no step "${from}" to rerun from (steps: ${task.steps.map((s) => s.id).join(", ")})`);
  }
  if (run.status === "pending" || run.status === "running" || run.status === "compensating") {
    throw new FuseError(ErrorCode.CONFLICT, `run ${run.id} is still ${run.status}: rerun it once it is over (or cancel it first)`);
  }
  if (run.status === "succeeded" && from === undefined) {
    throw new FuseError(ErrorCode.CONFLICT, `run ${run.id} succeeded: nothing to rerun; name a step with from`);
  }
  const redo = from === undefined ? new Set<string>() : fromOnwards(task, from);
  const reused: Record<string, StepRecord> = {};
  const keepItemsOf: string[] = [];
  for (const record of steps) {
    const step = task.byId.get(record.id);
    if (!step || redo.has(record.id) || compensated.has(record.id)) continue;
    if (record.status === "succeeded") {
      const copy: StepRecord = { id: record.id, status: "succeeded", attempts: 0, output: record.output, reused: true };
      if (record.startedAt !== undefined) copy.startedAt = record.startedAt;
      if (record.endedAt !== undefined) copy.endedAt = record.endedAt;
      reused[record.id] = copy;
    } else if (step.forEach) keepItemsOf.push(record.id);
  }
  return { reused, keepItemsOf };
}
