import type { z } from "zod";
import { SchemaError, formatPath } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { JsonLines } from "./json-lines.ts";

interface Problem {
  message: string;
  field: string;
  line?: number;
  step?: string;
}

/**
 * Collects every problem of one task file (`tasks/x.json:12 steps[2] "notify".input: …`), so
 * one load names them all; `error()` is one TASK_SCHEMA_INVALID holding every problem.
 */
export class Problems {
  private readonly lines: JsonLines;
  private readonly found: Problem[] = [];

  constructor(
    private readonly file: string,
    text: string | undefined,
  ) {
    this.lines = new JsonLines(text);
  }

  get count(): number {
    return this.found.length;
  }

  add(path: readonly PropertyKey[], message: string, step?: string): void {
    const line = this.lines.lineOf(path);
    const field = formatPath(path);
    const stepName = step === undefined ? "" : ` "${step}"`;
    const where = `${this.file}${line ? `:${line}` : ""}${field ? ` ${field.replace(/^(steps\[\d+\])/, `$1${stepName}`)}` : ""}`;
    const problem: Problem = { message: `${where}: ${message}`, field };
    if (line) problem.line = line;
    if (step !== undefined) problem.step = step;
    this.found.push(problem);
  }

  /**
   * The problems as one error: the first one's message, then the others after "; ". Its
   * details name the first problem's file, field, line and step, and list all of them.
   */
  error(): SchemaError {
    const [first, ...rest] = this.found;
    const details: Record<string, unknown> = { file: this.file, field: first!.field };
    if (first!.line) details.line = first!.line;
    if (first!.step !== undefined) details.step = first!.step;
    if (rest.length) details.problems = this.found;
    const message = rest.length ? `${this.found.length} problems: ${this.found.map((p) => p.message).join("; ")}` : first!.message;
    return new SchemaError(ErrorCode.TASK_SCHEMA_INVALID, message, { details });
  }
}

/**
 * The issues to report for a zod failure: a union's issues (`onError`) are replaced by those
 * of the branch the value was written for, so an unknown key there gets its own message.
 */
export function flattenIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== "invalid_union" || !issue.errors.length) return [issue];
    const branch = issue.errors.find((errors) => errors.every((e) => !(e.code === "invalid_type" && e.path.length === 0))) ?? issue.errors[0]!;
    return flattenIssues(branch.map((e) => ({ ...e, path: [...issue.path, ...e.path] }) as z.core.$ZodIssue));
  });
}
