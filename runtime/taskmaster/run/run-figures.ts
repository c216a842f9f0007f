import type { RunStatus } from "./run-types.ts";

/**
 * Where runs' ends and steps' durations are counted: the process's metrics
 * (`fuse_task_runs_total`, `fuse_task_run_duration_seconds`, `fuse_task_step_duration_seconds`).
 * Task and step names come from the task files, so the series are bounded.
 */
export interface RunFigures {
  /** A run ended with `status` (its final one) after `seconds` from its start. */
  taskRunEnded(task: string, status: RunStatus, seconds: number): void;
  /** A step ended (succeeded, failed, cancelled) after `seconds` from its first start, retries and waits included. */
  taskStepEnded(task: string, step: string, seconds: number): void;
}
