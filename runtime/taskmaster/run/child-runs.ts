import { ErrorCode } from "../../protocol/index.ts";
import type { RunDetail, RunRecord } from "./run-types.ts";
import type { StepOutcome } from "./step-outcome.ts";
import type { TaskDefinition } from "../schema/task-definition.ts";

/** What a sub-task step needs of the engine. */
export interface ChildRunHost {
  /** Resolves once the runs to resume are back (a resumed parent finds its resumed child). */
  ready: Promise<void>;
  /** The task to run as the child. @throws NOT_FOUND */
  task(name: string): TaskDefinition;
  /** Starts the child (idempotent by key: a restarted parent finds the child it started). */
  startChild(task: TaskDefinition, input: unknown, key: string, parent: { runId: string; stepId: string }): Promise<RunRecord>;
  /** Resolves with the run once it is over. */
  ended(runId: string): Promise<RunDetail>;
  /** Cancels the child when its parent gives the step up (unless the taskmaster is only stopping). */
  abandon(runId: string): void;
}

/**
 * Runs a sub-task step: starts the child run with the key `<parentRunId>/<stepId>` (so a
 * parent resumed after a restart waits for the same child), waits for its end, and ends the
 * step with the child's output, or its error (`details.childRunId` names the child). A
 * parent that gives the step up (cancelled, failed elsewhere, past its deadline) cancels the child.
 */
export async function runChild(host: ChildRunHost, parent: { runId: string; stepId: string }, taskName: string, input: unknown, signal: AbortSignal, onChild: (childRunId: string) => void): Promise<StepOutcome> {
  await host.ready;
  const task = host.task(taskName);
  const child = await host.startChild(task, input, `${parent.runId}/${parent.stepId}`, parent);
  onChild(child.id);
  const abandon = () => host.abandon(child.id);
  signal.addEventListener("abort", abandon, { once: true });
  try {
    const end = await host.ended(child.id);
    if (end.status === "succeeded") return { status: "succeeded", output: end.output };
    const code = end.error?.code ?? ErrorCode.CANCELLED;
    return {
      status: "failed",
      error: { code, message: `sub-task "${taskName}" (run ${child.id}) ended ${end.status}: ${end.error?.message ?? "no error"}`, details: { childRunId: child.id, status: end.status } },
    };
  } finally {
    signal.removeEventListener("abort", abandon);
  }
}
