import { ValidationError, type ValidationIssue } from "./classes.ts";

/** The parts of a zod issue that Fuse reads, so this module needs no zod import. */
export interface ZodLikeIssue {
  path: PropertyKey[];
  code: string;
  message: string;
}

/** `a.b[0].c` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

export function toIssues(issues: readonly ZodLikeIssue[]): ValidationIssue[] {
  return issues.map((i) => ({ path: formatPath(i.path), code: i.code, message: i.message }));
}

/**
 * A ValidationError from zod issues: the message names where (`what`), the first field and
 * what was expected; `details.issues` keeps every issue.
 */
export function validationErrorFromIssues(
  what: string,
  issues: readonly ZodLikeIssue[],
  options: { code?: string; actor?: string } = {},
): ValidationError {
  const list = toIssues(issues);
  const first = list[0];
  const more = list.length > 1 ? ` (and ${list.length - 1} more)` : "";
  const where = first?.path ? `${what}.${first.path}` : what;
  const message = `${where}: ${first?.message ?? "invalid"}${more}`;
  return new ValidationError(message, { ...options, details: { issues: list } });
}
