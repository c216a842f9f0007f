import type { z } from "zod";
import type { Target } from "../../protocol/index.ts";
import type { Expression } from "./expression.ts";
import type { RetrySchema, TaskSchema } from "./task-schema.ts";

/** A step ready to run: expressions compiled, prerequisites worked out. */
export interface StepDefinition {
  id: string;
  /** Position in the file's `steps` array. */
  index: number;
  call: string;
  target: Target;
  description?: string;
  /** Explicit ordering-only prerequisites, as written. */
  needs: readonly string[];
  /** Steps whose output the expressions read. */
  reads: readonly string[];
  /** Every prerequisite: `needs` and `reads`, without duplicates. */
  after: readonly string[];
  input: Expression;
  when?: Expression;
  forEach?: Expression;
  concurrency?: number;
  timeoutMs: number;
  retry: RetrySchema;
  onError: "fail" | "continue";
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
}
