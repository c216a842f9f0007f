import { z } from "zod";
import { NAME_PATTERN as NAME } from "../../protocol/index.ts";

/** Step ids are JSONata-friendly names, so an expression can say `$steps.fetch_user.email`. */
export const STEP_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;

const expression = (what: string) =>
  z.string().min(1).describe(`${what}: a JSONata expression (https://jsonata.org)`);

const stepId = z
  .string()
  .regex(STEP_ID, "expected a step id: letters, digits and underscores, not starting with a digit");

const errorCode = z.string().regex(/^[A-Z][A-Z0-9_]*$/, "expected an error code such as OUT_OF_STOCK");

/** Airflow-like trigger rules: when a step runs, given how its prerequisites ended. */
export const TRIGGER_RULES = ["all_succeeded", "all_done", "none_failed", "one_succeeded", "one_failed"] as const;
export type TriggerRule = (typeof TRIGGER_RULES)[number];

export const catchRuleSchema = z
  .strictObject({
    on: z.array(errorCode).min(1).optional().describe("Error codes this rule catches. Default: every code"),
    then: z.enum(["fail", "continue"]).optional().describe("`fail` the task or `continue` without this step's output. Default `continue` with `goto`, else `fail`"),
    goto: stepId.optional().describe("A handler step: it runs (only) when this rule caught the error; the task continues"),
  })
  .describe("How one kind of error is handled; the first rule whose `on` has the code applies");

export const waitSchema = z
  .strictObject({
    ms: z.number().int().min(0).optional().describe("Wait this many ms from when the step starts"),
    until: expression("Wait until this timestamp (ISO 8601 text or epoch ms)").optional(),
  })
  .describe("A durable timer: exactly one of `ms` or `until`; it survives restarts and fires once");

export const awaitSchema = z
  .strictObject({
    event: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'expected an event topic such as "payment.settled"')
      .describe("The durable event topic awaited (as emitted with ctx.emit)"),
    match: expression("Condition on the event, as `$event` (with `$input`, `$steps.<id>`): the first event that makes it truthy completes the step. Default: any event of the topic").optional(),
    timeoutMs: z.number().int().positive().optional().describe("Fail with DEADLINE_EXCEEDED (then `onError` applies) when no event matched in this time. Default: wait forever"),
  })
  .describe("Waits for a durable bus event; the step's output is the event's payload");

export const signalSchema = z
  .strictObject({
    timeoutMs: z.number().int().positive().optional().describe("Fail with DEADLINE_EXCEEDED (then `onError` applies) when no signal came in this time. Default: wait forever"),
  })
  .describe("Hands out a single-use token (in the step record, and as `$token` to this step's `call`) and waits for `taskmaster.signal { token, output }`; the step's output is that output");

/** A duration: ms as a number, or text such as "30d", "12h", "90m", "45s". */
export const DURATION = /^\d+(ms|s|m|h|d)$/;
export const durationSchema = z.union([z.number().int().positive(), z.string().regex(DURATION, 'expected a duration such as "30d", "12h", "90m", "45s" or ms')]);

export const retrySchema = z
  .strictObject({
    attempts: z.number().int().min(1).max(100).default(1).describe("Total attempts, the first included. Default 1 (no retry)"),
    backoffMs: z.number().int().min(0).default(100).describe("Wait before the second attempt, in ms. Default 100"),
    factor: z.number().min(1).default(2).describe("Each further wait is the previous one times this. Default 2"),
    maxBackoffMs: z.number().int().min(0).default(30_000).describe("Longest wait between attempts, in ms. Default 30 000"),
    on: z
      .array(errorCode)
      .min(1)
      .optional()
      .describe("Retry only errors with these codes (e.g. [\"NO_LIVE_INSTANCE\", \"DEADLINE_EXCEEDED\"]). Default: every code but VALIDATION_FAILED, BAD_REQUEST, ENDPOINT_NOT_FOUND, CANCELLED, EXPRESSION_FAILED"),
  })
  .describe("How often to try a step, and how long to wait between attempts");

export const compensateSchema = z
  .strictObject({
    call: z
      .string()
      .regex(new RegExp(`^${NAME}\\.${NAME}$`), 'expected "actor.endpoint"')
      .describe('The endpoint that undoes the step, as "actor.endpoint"'),
    input: expression("The compensation's input, from `$input` and `$steps.<id>` (this step's own output included). Default `{}`").optional(),
    timeoutMs: z.number().int().positive().default(30_000).describe("Deadline of each attempt, in ms. Default 30 000"),
    retry: retrySchema.prefault({ attempts: 5 }).describe("How often to try the compensation. Default 5 attempts"),
  })
  .describe("Undoes a succeeded step when the run fails later (a saga): compensations run in reverse dependency order, durably, each with the key <runId>/<stepId>/compensate");

export const stepSchema = z
  .strictObject({
    id: stepId.describe("Unique id of the step; other expressions read its output as `$steps.<id>`"),
    call: z
      .string()
      .regex(new RegExp(`^${NAME}\\.${NAME}$`), 'expected "actor.endpoint"')
      .optional()
      .describe('The endpoint this step calls, as "actor.endpoint". A step has one of `call`, `wait`, `await` or `signal` (`signal` may have a `call` too, which gets `$token`)'),
    task: z
      .string()
      .regex(new RegExp(`^${NAME}$`), "expected a task name")
      .optional()
      .describe("A sub-task: runs the task of this name as a child run with `input`; the step's output is the child's output, its error the child's"),
    wait: waitSchema.optional(),
    await: awaitSchema.optional(),
    signal: signalSchema.optional(),
    trigger: z
      .enum(TRIGGER_RULES)
      .optional()
      .describe("When the step runs, given how its prerequisites ended (else it is skipped): all_succeeded (the default), all_done (the default for a step reading `$errors.<id>`), none_failed, one_succeeded, one_failed"),
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
      .union([z.enum(["fail", "continue"]), z.array(catchRuleSchema).min(1)])
      .default("fail")
      .describe("When the step fails for good: `fail` the task (default), `continue` without its output, or rules by error code (`[{ on: [codes], then | goto }]`; an error no rule catches fails the task)"),
    compensate: compensateSchema.optional(),
  })
  .describe("One step: a call of an actor endpoint, a durable timer (`wait`), an awaited event (`await`) or a signal (`signal`)");

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
    timeoutMs: z.number().int().positive().optional().describe("Deadline of the whole run from its start, in ms: steps in flight are cancelled and the run fails with DEADLINE_EXCEEDED. Default: none"),
    retention: durationSchema.optional().describe("How long this task's finished runs are kept (their steps, waits and stored payloads too). Default: the config's taskmaster.retention, 30d"),
  })
  .describe("A Fuse task: a DAG of actor calls");

export type RetrySchema = z.output<typeof retrySchema>;
export type CatchRuleSchema = z.output<typeof catchRuleSchema>;
export type CompensateSchema = z.output<typeof compensateSchema>;
export type StepSchema = z.output<typeof stepSchema>;
export type TaskSchema = z.output<typeof taskSchema>;
