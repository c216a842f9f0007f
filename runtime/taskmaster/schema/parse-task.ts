import { z } from "zod";
import { SchemaError, formatPath } from "../../errors/index.ts";
import { ErrorCode, parseTarget } from "../../protocol/index.ts";
import { ExpressionProblem, compileExpression, constantExpression, type Expression } from "./expression.ts";
import { findCycle } from "./find-cycle.ts";
import { JsonLines } from "./json-lines.ts";
import { didYouMean } from "./suggest-name.ts";
import type { StepDefinition, TaskDefinition } from "./task-definition.ts";
import { taskSchema, type StepSchema, type TaskSchema } from "./task-schema.ts";

export interface ParseTaskOptions {
  /** The file, relative to the hub folder, named in every error. */
  file: string;
  /** The file's text, to name lines in errors. */
  text?: string;
}

export type SafeParseTaskResult = { ok: true; value: TaskDefinition } | { ok: false; error: SchemaError };

/** Builds the errors of one file: `tasks/x.json:12 steps[2] "notify".input: …`. */
class Problems {
  private readonly lines: JsonLines;
  constructor(
    private readonly file: string,
    text: string | undefined,
  ) {
    this.lines = new JsonLines(text);
  }

  at(path: readonly PropertyKey[], message: string, step?: string): SchemaError {
    const line = this.lines.lineOf(path);
    const field = formatPath(path);
    const stepName = step === undefined ? "" : ` "${step}"`;
    const where = `${this.file}${line ? `:${line}` : ""}${field ? ` ${field.replace(/^(steps\[\d+\])/, `$1${stepName}`)}` : ""}`;
    const details: Record<string, unknown> = { file: this.file, field };
    if (line) details.line = line;
    if (step !== undefined) details.step = step;
    return new SchemaError(ErrorCode.TASK_SCHEMA_INVALID, `${where}: ${message}`, { details });
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return `unknown key "${issue.keys[0]}"`;
  return issue.message.replace(/^Invalid input: /, "");
}

function compile(problems: Problems, path: PropertyKey[], source: string, step?: string): Expression {
  try {
    return compileExpression(source);
  } catch (error) {
    const p = error as ExpressionProblem;
    const at = p.position === undefined ? "" : ` at character ${p.position}`;
    throw problems.at(path, `bad expression${at}: ${p.message}`, step);
  }
}

function compileStep(problems: Problems, step: StepSchema, index: number): StepDefinition {
  const path = (key: string) => ["steps", index, key];
  const input = step.input === undefined ? undefined : compile(problems, path("input"), step.input, step.id);
  const when = step.when === undefined ? undefined : compile(problems, path("when"), step.when, step.id);
  const forEach = step.forEach === undefined ? undefined : compile(problems, path("forEach"), step.forEach, step.id);
  if (!forEach) {
    const [key, expr] = input?.usesItem ? ["input", input] : when?.usesItem ? ["when", when] : [];
    if (expr) throw problems.at(path(key!), "$item and $index exist only in a step with forEach", step.id);
  }
  if (forEach?.usesItem) throw problems.at(path("forEach"), "$item and $index are not set yet when forEach is read", step.id);
  if (step.concurrency !== undefined && !forEach) throw problems.at(path("concurrency"), "concurrency applies only to a step with forEach", step.id);
  const reads = [...new Set([...(input?.refs ?? []), ...(when?.refs ?? []), ...(forEach?.refs ?? [])])];
  const definition: StepDefinition = {
    id: step.id,
    index,
    call: step.call,
    target: parseTarget(step.call)!,
    needs: step.needs,
    reads,
    after: [...new Set([...step.needs, ...reads])],
    input: input ?? (forEach ? compileExpression("$item") : constantExpression({})),
    timeoutMs: step.timeoutMs,
    retry: step.retry,
    onError: step.onError,
  };
  if (step.description !== undefined) definition.description = step.description;
  if (when) definition.when = when;
  if (forEach) definition.forEach = forEach;
  if (step.concurrency !== undefined) definition.concurrency = step.concurrency;
  return definition;
}

function checkReferences(problems: Problems, steps: StepDefinition[], byId: Map<string, StepDefinition>): void {
  for (const step of steps) {
    for (const [key, list] of [["needs", step.needs], ["input", step.reads]] as const) {
      for (const ref of list) {
        const field = key === "needs" ? ["steps", step.index, "needs", step.needs.indexOf(ref)] : ["steps", step.index];
        if (ref === step.id) throw problems.at(field, `step "${step.id}" cannot depend on itself`, step.id);
        if (!byId.has(ref)) {
          const what = key === "needs" ? "needs" : "reads the output of";
          throw problems.at(field, `${what} unknown step "${ref}"${didYouMean(ref, byId.keys())}`, step.id);
        }
      }
    }
  }
  const cycle = findCycle(
    steps.map((s) => s.id),
    (id) => byId.get(id)!.after,
  );
  if (cycle) {
    const first = byId.get(cycle[0]!)!;
    throw problems.at(["steps", first.index], `steps form a cycle: ${cycle.join(" → ")}`, first.id);
  }
}

function inputSchemaOf(problems: Problems, schema: TaskSchema): z.ZodType | undefined {
  if (!schema.input) return undefined;
  try {
    return z.fromJSONSchema(schema.input as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    throw problems.at(["input"], `not a usable JSON Schema: ${(error as Error).message}`);
  }
}

/**
 * Validates a task schema (parsed JSON) and compiles its expressions. Fails at load on
 * unknown keys, unknown or cyclic step references, bad expressions and bad input schemas.
 * @throws TASK_SCHEMA_INVALID naming the file, line, field and step.
 */
export function parseTask(value: unknown, options: ParseTaskOptions): TaskDefinition {
  const problems = new Problems(options.file, options.text);
  const parsed = taskSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
    const stepIndex = path[0] === "steps" && typeof path[1] === "number" ? path[1] : undefined;
    const stepId = stepIndex === undefined ? undefined : (value as { steps?: { id?: unknown }[] }).steps?.[stepIndex]?.id;
    const hint = issue.code === "unrecognized_keys" ? didYouMean(issue.keys[0]!, knownKeys(path)) : "";
    throw problems.at(path, `${describeIssue(issue)}${hint}`, typeof stepId === "string" ? stepId : undefined);
  }
  const schema = parsed.data;
  const byId = new Map<string, StepDefinition>();
  const steps = schema.steps.map((step, index) => {
    if (byId.has(step.id)) throw problems.at(["steps", index, "id"], `duplicate step id "${step.id}"`, step.id);
    const definition = compileStep(problems, step, index);
    byId.set(step.id, definition);
    return definition;
  });
  checkReferences(problems, steps, byId);
  const output = schema.output === undefined ? undefined : compile(problems, ["output"], schema.output);
  for (const ref of output?.refs ?? []) {
    if (!byId.has(ref)) throw problems.at(["output"], `reads the output of unknown step "${ref}"${didYouMean(ref, byId.keys())}`);
  }
  if (output?.usesItem) throw problems.at(["output"], "$item and $index exist only in a step with forEach");
  const task: TaskDefinition = { name: schema.name, file: options.file, schema, steps, byId };
  if (schema.description !== undefined) task.description = schema.description;
  if (output) task.output = output;
  const inputSchema = inputSchemaOf(problems, schema);
  if (inputSchema) task.inputSchema = inputSchema;
  return task;
}

function knownKeys(path: readonly PropertyKey[]): string[] {
  if (path.length === 1) return Object.keys(taskSchema.shape);
  if (path[0] === "steps" && path.length === 3) return Object.keys(taskSchema.shape.steps.element.shape);
  return [];
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
