import { catchOf, type StepDefinition, type TaskDefinition } from "../schema/task-definition.ts";
import type { StepRecord } from "./run-types.ts";

/**
 * Whether a step whose prerequisites have all settled runs (else it is skipped). A `goto`
 * handler runs only when a step it handles failed with a code routed to it; any other step
 * follows its trigger rule over how its prerequisites ended. Pure.
 */
export function shouldRun(step: StepDefinition, steps: Readonly<Record<string, StepRecord>>, task: TaskDefinition): boolean {
  if (step.catches.length) {
    return step.catches.some((from) => {
      const record = steps[from]!;
      return record.status === "failed" && catchOf(task.byId.get(from)!, record.error?.code ?? "").goto === step.id;
    });
  }
  const statuses = step.after.map((id) => steps[id]!.status);
  if (!statuses.length) return true;
  switch (step.trigger) {
    case "all_succeeded":
      return statuses.every((s) => s === "succeeded");
    case "all_done":
      return true;
    case "none_failed":
      return !statuses.includes("failed");
    case "one_succeeded":
      return statuses.includes("succeeded");
    case "one_failed":
      return statuses.includes("failed");
  }
}
