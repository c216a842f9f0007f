import type { TaskDefinition } from "../schema/task-definition.ts";
import type { StepRecord } from "./run-types.ts";

/** Every succeeded step's output by id: a run's output when its task has no `output` expression. */
export function stepOutputs(records: Record<string, StepRecord>): Record<string, unknown> {
  const steps: Record<string, unknown> = {};
  for (const [id, record] of Object.entries(records)) {
    if (record.status === "succeeded") steps[id] = record.output;
  }
  return steps;
}

/** The run's output: the task's `output` expression, or every finished step's output by id. */
export async function evaluateOutput(task: TaskDefinition, context: { input: unknown; steps: Record<string, StepRecord> }): Promise<unknown> {
  const steps = stepOutputs(context.steps);
  if (!task.output) return steps;
  const value = await task.output.evaluate({ input: context.input, steps });
  // JSONata marks sequences with extra properties; keep the output plain JSON.
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
