import type { Expression } from "../schema/expression.ts";
import type { StepRecord } from "./run-types.ts";

/** Every succeeded step's output by id: a run's output when its task has no `output` expression. */
export function stepOutputs(records: Record<string, StepRecord>): Record<string, unknown> {
  const steps: Record<string, unknown> = {};
  for (const [id, record] of Object.entries(records)) {
    if (record.status === "succeeded") steps[id] = record.output;
  }
  return steps;
}

/** The run's output from the task's `output` expression, which reads `input` and `steps` (every succeeded step's output by id). */
export async function evaluateOutput(output: Expression, context: { input: unknown; steps: Record<string, StepRecord> }): Promise<unknown> {
  const value = await output.evaluate({ input: context.input, steps: stepOutputs(context.steps) });
  // JSONata marks sequences with extra properties; keep the output plain JSON.
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
