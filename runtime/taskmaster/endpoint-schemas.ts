import { z } from "zod";
import { RUN_STATUSES, STEP_STATUSES } from "./run-types.ts";

/** Shapes of the taskmaster's endpoints; outputs are checked too, since the CLI and dashboard rely on them. */
const runError = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional(), actor: z.string().optional() });

export const stepRecordShape = z.object({
  id: z.string(),
  status: z.enum(STEP_STATUSES),
  attempts: z.number(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  output: z.unknown().optional(),
  error: runError.optional(),
});

export const runRecordShape = z.object({
  id: z.string(),
  task: z.string(),
  status: z.enum(RUN_STATUSES),
  input: z.unknown(),
  output: z.unknown().optional(),
  error: runError.optional(),
  traceId: z.string(),
  createdAt: z.number(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
});

export const runDetailShape = runRecordShape.extend({ steps: z.array(stepRecordShape) });

const invalidFile = z.object({ file: z.string(), code: z.string(), message: z.string(), details: z.unknown().optional() });

export const taskSummaryShape = z.object({
  name: z.string(),
  description: z.string().optional(),
  file: z.string(),
  steps: z.number(),
});

export const listOutput = z.object({ tasks: z.array(taskSummaryShape), invalid: z.array(invalidFile) });

export const showOutput = taskSummaryShape.extend({
  schema: z.unknown(),
  dag: z.object({
    nodes: z.array(z.object({ id: z.string(), call: z.string(), level: z.number(), when: z.string().optional(), forEach: z.string().optional(), onError: z.string() })),
    edges: z.array(z.object({ from: z.string(), to: z.string(), kind: z.enum(["data", "order"]) })),
    mermaid: z.string(),
  }),
});

export const runInput = z.strictObject({
  task: z.string().min(1),
  input: z.unknown().optional(),
  /** Wait for the run to end and return its output, instead of returning at once with its id. */
  wait: z.boolean().default(false),
  /** With `wait`: the longest wait in ms, bounded by the request's deadline. */
  timeoutMs: z.number().int().positive().optional(),
});

export const runIdInput = z.strictObject({ runId: z.string().min(1) });

export const runsInput = z.strictObject({
  task: z.string().optional(),
  status: z.enum(RUN_STATUSES).optional(),
  since: z.number().optional(),
  limit: z.number().int().min(1).max(1000).default(50),
});

export const resultOutput = z.object({ run: runDetailShape, schema: z.unknown() });
