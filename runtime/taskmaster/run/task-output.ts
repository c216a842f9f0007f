import type { TaskDefinition } from "../schema/task-definition.ts";
import type { StepRecord } from "./run-types.ts";

/** The run's output: the task's `output` expression, or every finished step's output by id. */
export async function evaluateOutput(task: TaskDefinition, context: { input: unknown; steps: Record<string, StepRecord> }): Promise<unknown> {
  const steps: Record<string, unknown> = {};
  for (const [id, record] of Object.entries(context.steps)) {
    if (record.status === "succeeded") steps[id] = record.output;
  }
  if (!task.output) return steps;
  const value = await task.output.evaluate({ input: context.input, steps });
  // JSONata marks sequences with extra properties; keep the output plain JSON.
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
