import { z } from "zod";
import { SchemaError } from "../../errors/index.ts";
import { compile, compileStep } from "./compile-step.ts";
import { findCycle } from "./find-cycle.ts";
import { Problems, flattenIssues } from "./problems.ts";
import { didYouMean } from "./suggest-name.ts";
import type { StepDefinition, TaskDefinition } from "./task-definition.ts";
import { durationMs } from "./duration.ts";
import { catchRuleSchema, compensateSchema, taskSchema, waitSchema, awaitSchema, signalSchema, retrySchema, type TaskSchema } from "./task-schema.ts";

export interface ParseTaskOptions {
  /** The file, relative to the hub folder, named in every error. */
  file: string;
  /** The file's text, to name lines in errors. */
  text?: string;
}

export type SafeParseTaskResult = { ok: true; value: TaskDefinition } | { ok: false; error: SchemaError };

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return `unknown key "${issue.keys[0]}"`;
  return issue.message.replace(/^Invalid input: /, "");
}

/** The keys allowed where an unknown key was found, for a "did you mean". */
function knownKeys(path: readonly PropertyKey[]): string[] {
  if (path.length === 1) return Object.keys(taskSchema.shape);
  if (path[0] !== "steps") return [];
  if (path.length === 3) return Object.keys(taskSchema.shape.steps.element.shape);
  const nested: Record<string, { shape: object }> = { retry: retrySchema, wait: waitSchema, await: awaitSchema, signal: signalSchema, compensate: compensateSchema };
  if (path.length === 4 && typeof path[2] === "string" && nested[path[2]]) return Object.keys(nested[path[2]]!.shape);
  if (path.length === 5 && path[2] === "onError") return Object.keys(catchRuleSchema.shape);
  return [];
}

function addZodIssues(problems: Problems, value: unknown, issues: readonly z.core.$ZodIssue[]): void {
  for (const issue of flattenIssues(issues)) {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
    for (const key of keys) {
      const path = key === undefined ? issue.path : [...issue.path, key];
      const stepIndex = path[0] === "steps" && typeof path[1] === "number" ? path[1] : undefined;
      const stepId = stepIndex === undefined ? undefined : (value as { steps?: { id?: unknown }[] }).steps?.[stepIndex]?.id;
      const message = key === undefined ? describeIssue(issue) : `unknown key "${key}"${didYouMean(key, knownKeys(path))}`;
      problems.add(path, message, typeof stepId === "string" ? stepId : undefined);
    }
  }
}

/** Links `goto` handlers to the steps whose failures they handle, checking the names. */
function linkCatches(problems: Problems, steps: StepDefinition[], byId: Map<string, StepDefinition>): void {
  for (const step of steps) {
    step.onError.forEach((rule, i) => {
      if (!rule.goto) return;
      const field = ["steps", step.index, "onError", i, "goto"];
      const target = byId.get(rule.goto);
      if (rule.goto === step.id) return problems.add(field, `step "${step.id}" cannot handle its own error`, step.id);
      if (!target) return problems.add(field, `unknown step "${rule.goto}"${didYouMean(rule.goto, byId.keys())}`, step.id);
      if (!target.catches.includes(step.id)) {
        (target.catches as string[]).push(step.id);
        if (!target.after.includes(step.id)) (target.after as string[]).push(step.id);
      }
    });
  }
}

function checkReferences(problems: Problems, steps: StepDefinition[], byId: Map<string, StepDefinition>): void {
  for (const step of steps) {
    for (const [key, list] of [["needs", step.needs], ["input", step.reads], ["errors", step.errorReads]] as const) {
      for (const ref of list) {
        const field = key === "needs" ? ["steps", step.index, "needs", step.needs.indexOf(ref)] : ["steps", step.index];
        if (ref === step.id) problems.add(field, `step "${step.id}" cannot depend on itself`, step.id);
        else if (!byId.has(ref)) {
          const what = key === "needs" ? "needs" : key === "input" ? "reads the output of" : "reads the error of";
          problems.add(field, `${what} unknown step "${ref}"${didYouMean(ref, byId.keys())}`, step.id);
        }
      }
    }
  }
  for (const step of steps) {
    for (const ref of step.compensate ? [...step.compensate.input.refs, ...step.compensate.input.errorRefs] : []) {
      if (!byId.has(ref)) problems.add(["steps", step.index, "compensate", "input"], `reads the output of unknown step "${ref}"${didYouMean(ref, byId.keys())}`, step.id);
    }
  }
  if (problems.count) return;
  const cycle = findCycle(
    steps.map((s) => s.id),
    (id) => byId.get(id)!.after,
  );
  if (cycle) {
    const first = byId.get(cycle[0]!)!;
    problems.add(["steps", first.index], `steps form a cycle: ${cycle.join(" → ")}`, first.id);
  }
}

function inputSchemaOf(problems: Problems, schema: TaskSchema): z.ZodType | undefined {
  if (!schema.input) return undefined;
  try {
    return z.fromJSONSchema(schema.input as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    problems.add(["input"], `not a usable JSON Schema: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Validates a task schema (parsed JSON) and compiles its expressions. Fails at load on
 * unknown keys, unknown or cyclic step references, bad expressions and bad input schemas,
 * naming every problem of the file, not only the first.
 * @throws TASK_SCHEMA_INVALID naming the file, line, field and step.
 */
export function parseTask(value: unknown, options: ParseTaskOptions): TaskDefinition {
  const problems = new Problems(options.file, options.text);
  const parsed = taskSchema.safeParse(value);
  if (!parsed.success) {
    addZodIssues(problems, value, parsed.error.issues);
    throw problems.error();
  }
  const schema = parsed.data;
  const byId = new Map<string, StepDefinition>();
  const steps = schema.steps.map((step, index) => {
    if (byId.has(step.id)) problems.add(["steps", index, "id"], `duplicate step id "${step.id}"`, step.id);
    const definition = compileStep(problems, step, index);
    if (!byId.has(step.id)) byId.set(step.id, definition);
    return definition;
  });
  linkCatches(problems, steps, byId);
  checkReferences(problems, steps, byId);
  const output = schema.output === undefined ? undefined : compile(problems, ["output"], schema.output);
  for (const ref of [...(output?.refs ?? []), ...(output?.errorRefs ?? [])]) {
    if (!byId.has(ref)) problems.add(["output"], `reads the output of unknown step "${ref}"${didYouMean(ref, byId.keys())}`);
  }
  if (output?.usesItem) problems.add(["output"], "$item and $index exist only in a step with forEach");
  const inputSchema = inputSchemaOf(problems, schema);
  if (problems.count) throw problems.error();
  const awaitedEvents = [...new Set(steps.flatMap((s) => (s.await ? [s.await.event] : [])))];
  const task: TaskDefinition = { name: schema.name, file: options.file, schema, steps, byId, awaitedEvents };
  if (schema.description !== undefined) task.description = schema.description;
  if (schema.timeoutMs !== undefined) task.timeoutMs = schema.timeoutMs;
  if (schema.retention !== undefined) task.retentionMs = durationMs(schema.retention);
  if (output) task.output = output;
  if (inputSchema) task.inputSchema = inputSchema;
  return task;
}

/** Like `parseTask`, but returns `{ ok, value }` or `{ ok: false, error }` instead of throwing. */
export function safeParseTask(value: unknown, options: ParseTaskOptions): SafeParseTaskResult {
  try {
    return { ok: true, value: parseTask(value, options) };
  } catch (error) {
    if (error instanceof SchemaError) return { ok: false, error };
    throw error;
  }
}
