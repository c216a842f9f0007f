import type { z } from "zod";
import type { Target } from "../../protocol/index.ts";
import type { Expression } from "./expression.ts";
import type { RetrySchema, TaskSchema, TriggerRule } from "./task-schema.ts";

/** What a step does: call an endpoint, wait on a timer, await an event, wait for a signal (after an optional call), or run a sub-task. */
export type StepKind = "call" | "wait" | "await" | "signal" | "task";

/** One `onError` rule, defaults applied: the first whose `on` holds the error's code decides. */
export interface CatchRule {
  /** Codes caught; undefined catches every code. */
  on?: readonly string[];
  then: "fail" | "continue";
  /** The handler step that runs because of this rule. */
  goto?: string;
}

/** A step ready to run: expressions compiled, prerequisites worked out. */
export interface StepDefinition {
  id: string;
  /** Position in the file's `steps` array. */
  index: number;
  kind: StepKind;
  /** The endpoint called (`call` steps, and `signal` steps with a call). */
  call?: string;
  target?: Target;
  description?: string;
  /** Explicit ordering-only prerequisites, as written. */
  needs: readonly string[];
  /** Steps whose output the expressions read. */
  reads: readonly string[];
  /** Steps whose error the expressions read (`$errors.<id>`). */
  errorReads: readonly string[];
  /** Steps whose `onError` rules send their failure here (`goto`): this step runs only then. */
  catches: readonly string[];
  /** Every prerequisite: `needs`, `reads`, `errorReads` and `catches`, without duplicates. */
  after: readonly string[];
  trigger: TriggerRule;
  input: Expression;
  when?: Expression;
  forEach?: Expression;
  concurrency?: number;
  wait?: { ms?: number; until?: Expression };
  await?: { event: string; match?: Expression; timeoutMs?: number };
  signal?: { timeoutMs?: number };
  /** A sub-task: the name of the task run as a child. */
  task?: string;
  /** How to undo the step once it succeeded, when the run fails later. */
  compensate?: Compensation;
  timeoutMs: number;
  retry: RetrySchema;
  /** Empty: any failure fails the task. */
  onError: readonly CatchRule[];
}

/** A step's compensation: a call, with its own input expression, deadline and retry policy. */
export interface Compensation {
  call: string;
  target: Target;
  input: Expression;
  timeoutMs: number;
  retry: RetrySchema;
}

/** A validated task schema, ready to compile into a machine. */
export interface TaskDefinition {
  name: string;
  description?: string;
  /** The file it came from, relative to the hub folder. */
  file: string;
  /** The schema as written (parsed JSON), kept with every run so a resumed run uses the same one. */
  schema: TaskSchema;
  steps: readonly StepDefinition[];
  byId: ReadonlyMap<string, StepDefinition>;
  output?: Expression;
  /** Checks a run's input; undefined when the task declares no input schema. */
  inputSchema?: z.ZodType;
  /** Deadline of a run from its start, in ms. */
  timeoutMs?: number;
  /** How long its finished runs are kept, in ms; undefined: the taskmaster's default. */
  retentionMs?: number;
  /** Event topics its `await` steps wait for. */
  awaitedEvents: readonly string[];
}

/** How a failure with `code` is handled by the step's `onError` rules (no rule: fail the task). */
export function catchOf(step: StepDefinition, code: string): CatchRule {
  return step.onError.find((rule) => !rule.on || rule.on.includes(code)) ?? { then: "fail" };
}
