import type { RunStatus, StepStatus } from "../../protocol/index.ts";

// The run records are part of the public contract and live in protocol; re-exported here for the taskmaster's files.
export {
  RUN_STATUSES,
  STEP_STATUSES,
  type RunStatus,
  type StepStatus,
  type RunError,
  type StepRecord,
  type RunRecord,
  type RunDetail,
  type StepWait,
  type WaitKind,
} from "../../protocol/index.ts";

/** A run that is over: it ran to its end (succeeded, failed, cancelled) and, if it failed with compensations, those ran too. */
export function isFinalRun(status: RunStatus): boolean {
  return status !== "pending" && status !== "running" && status !== "compensating";
}

/** A step whose dependents may be decided: it finished one way or the other without failing the task. */
export function isSettledStep(status: StepStatus): boolean {
  return status === "succeeded" || status === "skipped" || status === "failed";
}
