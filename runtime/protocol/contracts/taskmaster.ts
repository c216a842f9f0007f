import { z } from "zod";
import { ADMIN_ROLE } from "../access.ts";
import { BuiltinActor } from "./builtin-actors.ts";
import { defineContract } from "./define-contract.ts";

/** The hub folder's folder of task schemas: the taskmaster loads it, the hub watches it for the taskmaster's rights. */
export const TASKS_DIR = "tasks";

/**
 * `compensating`: the run failed and its succeeded steps' compensations run; it ends
 * `compensated` (all undone, the error is the failure's) or `compensation_failed`.
 */
export const RUN_STATUSES = ["pending", "running", "succeeded", "failed", "cancelled", "compensating", "compensated", "compensation_failed"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** `waiting`: a timer, a retry's backoff, an event or a signal; the step record's `waiting` says which and until when. */
export const STEP_STATUSES = ["pending", "running", "waiting", "succeeded", "failed", "skipped", "cancelled"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** Error codes the taskmaster gives runs and steps beyond the common ones (a run's own failures, like an application's codes). */
export const TaskErrorCode = {
  /** A task's expression (input, when, forEach, match, until, output) threw or gave an unusable value. */
  EXPRESSION_FAILED: "EXPRESSION_FAILED",
} as const;

export const WAIT_KINDS = ["timer", "retry", "event", "signal"] as const;
export type WaitKind = (typeof WAIT_KINDS)[number];

/**
 * What a `waiting` step waits for, stored with the run so that a restart keeps it: the due
 * time of a timer or retry (or the timeout of an event or signal), the topic, the token.
 */
export const stepWaitSchema = z.object({
  kind: z.enum(WAIT_KINDS),
  /** Epoch ms: when a timer or retry fires, or when an event or signal wait times out. */
  dueAt: z.number().optional(),
  /** `event`: the topic awaited. */
  event: z.string().optional(),
  /** `signal`: the single-use token that completes the step (`taskmaster.signal`). */
  token: z.string().optional(),
});
export type StepWait = z.infer<typeof stepWaitSchema>;

/** The error a step or run ended with, as it would cross the wire. */
export const runErrorSchema = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional(), actor: z.string().optional() });
export type RunError = z.infer<typeof runErrorSchema>;

export const stepRecordSchema = z.object({
  id: z.string(),
  status: z.enum(STEP_STATUSES),
  /** Calls made so far (a fan-out counts each item's calls). */
  attempts: z.number(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  output: z.unknown().optional(),
  error: runErrorSchema.optional(),
  /** Set while the step is `waiting`. */
  waiting: stepWaitSchema.optional(),
  /** A rerun took this step's output from the run it reran, without calling it again. */
  reused: z.boolean().optional(),
  /** A sub-task step: the id of its child run. */
  childRunId: z.string().optional(),
  /** Large outputs: the output is kept in the taskmaster's files, `output` is left out of `taskmaster.status` (read it with `taskmaster.result`). */
  outputRef: z.object({ file: z.string(), bytes: z.number() }).optional(),
});
export type StepRecord = z.infer<typeof stepRecordSchema>;

export const runRecordSchema = z.object({
  id: z.string(),
  task: z.string(),
  status: z.enum(RUN_STATUSES),
  input: z.unknown(),
  output: z.unknown().optional(),
  error: runErrorSchema.optional(),
  traceId: z.string(),
  createdAt: z.number(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  /** The run this one reran (`taskmaster.rerun`). */
  rerunOf: z.string().optional(),
  /** Runs that reran this one, oldest first. */
  reruns: z.array(z.string()).optional(),
  /** A child run: the run and sub-task step that started it. */
  parent: z.object({ runId: z.string(), step: z.string() }).optional(),
  /** Child runs started by its sub-task steps. */
  children: z.array(z.object({ runId: z.string(), step: z.string() })).optional(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

/** A run with every step of its task, in the schema's order (steps not reached are `pending`). */
export const runDetailSchema = runRecordSchema.extend({
  steps: z.array(stepRecordSchema),
  /** A failed run's compensations, one per succeeded step that declares `compensate` (id: the step's). */
  compensations: z.array(stepRecordSchema).optional(),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

export const taskSummarySchema = z.object({ name: z.string(), description: z.string().optional(), file: z.string(), steps: z.number() });
export type TaskSummary = z.infer<typeof taskSummarySchema>;

const invalidTaskFile = z.object({ file: z.string(), code: z.string(), message: z.string(), details: z.unknown().optional() });
const taskList = z.object({ tasks: z.array(taskSummarySchema), invalid: z.array(invalidTaskFile) });

export const dagSchema = z.object({
  nodes: z.array(z.object({ id: z.string(), call: z.string(), level: z.number(), when: z.string().optional(), forEach: z.string().optional(), onError: z.string(), trigger: z.string().optional() })),
  edges: z.array(z.object({ from: z.string(), to: z.string(), kind: z.enum(["data", "order", "catch"]) })),
  mermaid: z.string(),
});

const runId = z.strictObject({ runId: z.string().min(1) });

/** The `taskmaster` actor's endpoints and the run records they return, as it serves them and its clients call them. */
/** Cancelling a run and reloading tasks need the admin role and are logged with who asked. */
const admin = { access: { roles: [ADMIN_ROLE] }, audit: true } as const;

export const taskmasterContract = defineContract(BuiltinActor.taskmaster, {
  list: {
    description: "Lists the task schemas served, and the files refused with why",
    input: z.object({}),
    output: taskList,
    http: { method: "GET", path: "/tasks" },
  },
  reload: { description: "Reads tasks/ again", input: z.object({}), output: taskList, ...admin },
  show: {
    description: "Shows one task schema with its DAG",
    input: z.strictObject({ name: z.string().min(1) }),
    output: taskSummarySchema.extend({ schema: z.unknown(), dag: dagSchema }),
    http: { method: "GET", path: "/tasks/:name" },
  },
  run: {
    description: "Runs a task: returns its run id at once, or with `wait` its output",
    input: z.strictObject({
      task: z.string().min(1),
      input: z.unknown().optional(),
      /** Wait for the run to end and return its output, instead of returning at once with its id. */
      wait: z.boolean().default(false),
      /** With `wait`: the longest wait in ms, bounded by the request's deadline. */
      timeoutMs: z.number().int().positive().optional(),
    }),
    output: runRecordSchema,
  },
  status: { description: "A run's status with every step", input: runId, output: runDetailSchema, http: { method: "GET", path: "/tasks/runs/:runId" } },
  runs: {
    description: "Lists runs, newest first, by task, status and start time",
    input: z.strictObject({
      task: z.string().optional(),
      status: z.enum(RUN_STATUSES).optional(),
      since: z.number().optional(),
      limit: z.number().int().min(1).max(1000).default(50),
    }),
    output: z.object({ runs: z.array(runRecordSchema) }),
  },
  cancel: { description: "Cancels a run and its child runs; steps in flight are abandoned", input: runId, output: runDetailSchema, ...admin },
  rerun: {
    description: "Starts a new run of a finished run's task and input that reuses the outputs of its succeeded steps (all but `from` and the steps after it)",
    input: z.strictObject({ runId: z.string().min(1), from: z.string().min(1).optional() }),
    output: runRecordSchema,
    http: { method: "POST", path: "/tasks/runs/:runId/rerun" },
  },
  signal: {
    description: "Completes the step waiting for this token with `output`; a token works once",
    input: z.strictObject({ token: z.string().min(1), output: z.unknown().optional() }),
    output: z.object({ runId: z.string(), step: z.string() }),
    http: { method: "POST", path: "/tasks/signal/:token" },
    // The token is the credential (unguessable, single-use), so a webhook or an approval link
    // without a Fuse key can use it; every use is logged.
    access: "public",
    audit: true,
  },
  result: {
    description: "A run's full result as JSON: every step's output and the task schema it ran",
    input: runId,
    output: z.object({ run: runDetailSchema, schema: z.unknown() }),
    http: { method: "GET", path: "/tasks/runs/:runId/result" },
  },
});
