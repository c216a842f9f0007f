import { z } from "zod";
import { NAME_PATTERN as NAME } from "../../protocol/index.ts";

/** Step ids are JSONata-friendly names, so an expression can say `$steps.fetch_user.email`. */
export const STEP_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;

const expression = (what: string) =>
  z.string().min(1).describe(`${what}: a JSONata expression (https://jsonata.org)`);

const stepId = z
  .string()
  .regex(STEP_ID, "expected a step id: letters, digits and underscores, not starting with a digit");

export const retrySchema = z
  .strictObject({
    attempts: z.number().int().min(1).max(100).default(1).describe("Total attempts, the first included. Default 1 (no retry)"),
    backoffMs: z.number().int().min(0).default(100).describe("Wait before the second attempt, in ms. Default 100"),
    factor: z.number().min(1).default(2).describe("Each further wait is the previous one times this. Default 2"),
    maxBackoffMs: z.number().int().min(0).default(30_000).describe("Longest wait between attempts, in ms. Default 30 000"),
  })
  .describe("How often to try a step, and how long to wait between attempts");

export const stepSchema = z
  .strictObject({
    id: stepId.describe("Unique id of the step; other expressions read its output as `$steps.<id>`"),
    call: z
      .string()
      .regex(new RegExp(`^${NAME}\\.${NAME}$`), 'expected "actor.endpoint"')
      .describe('The endpoint this step calls, as "actor.endpoint"'),
    description: z.string().optional(),
    needs: z
      .array(stepId)
      .default([])
      .describe("Steps that must finish first although this step reads none of their output (data dependencies are found from the expressions)"),
    input: expression("The endpoint's input, built from `$input`, `$steps.<id>` (and `$item`, `$index` in a fan-out). Default `{}`, or `$item` in a fan-out").optional(),
    when: expression("Condition: the step runs only when this is truthy, else it is skipped").optional(),
    forEach: expression("Fan-out: calls the endpoint once per element of this array; the output is the array of outputs, in order").optional(),
    concurrency: z.number().int().min(1).optional().describe("Fan-out: most calls in flight at once. Default: all"),
    timeoutMs: z.number().int().positive().default(30_000).describe("Deadline of each attempt, in ms. Default 30 000"),
    retry: retrySchema.prefault({}),
    onError: z
      .enum(["fail", "continue"])
      .default("fail")
      .describe("When the step fails for good: `fail` the task (default), or `continue` with the steps that do not need it"),
  })
  .describe("One call of an actor endpoint");

export const taskSchema = z
  .strictObject({
    $schema: z.string().optional().describe("Path of task.schema.json, for editors"),
    name: z
      .string()
      .regex(new RegExp(`^${NAME}$`), "expected lowercase letters, digits and dashes, starting with a letter")
      .describe("The task's name, used to run it"),
    description: z.string().optional(),
    input: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("JSON Schema of the task's input; a run with other input is refused"),
    steps: z.array(stepSchema).min(1).describe("The steps; they run in parallel unless one needs another"),
    output: expression("The task's output, from `$input` and `$steps.<id>`. Default: every step's output by id").optional(),
  })
  .describe("A Fuse task: a DAG of actor calls");

export type RetrySchema = z.output<typeof retrySchema>;
export type StepSchema = z.output<typeof stepSchema>;
export type TaskSchema = z.output<typeof taskSchema>;
