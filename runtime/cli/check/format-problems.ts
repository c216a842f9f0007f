import type { CheckResult } from "./check-hub.ts";
import { colour } from "../output.ts";

/**
 * The report for people: one line per problem, grouped by file (files in order, problems by
 * line), each line the runtime's own message, which starts with the file and line when the
 * error knows them, followed by its code; then a count of what was checked.
 */
export function formatProblems(result: CheckResult): string[] {
  const { actors, tasks, tables } = result.checked;
  const what = `${actors} actor(s), ${tasks} task(s), ${tables} table(s) and the config`;
  if (result.ok) return [`${colour.green("✓")} checked ${what}: no problems`];
  const byFile = new Map<string, CheckResult["problems"]>();
  for (const problem of result.problems) byFile.set(problem.file, [...(byFile.get(problem.file) ?? []), problem]);
  const lines: string[] = [];
  for (const file of [...byFile.keys()].sort()) {
    lines.push(colour.bold(file));
    for (const p of byFile.get(file)!.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))) {
      const where = p.message.startsWith(file) ? "" : `${file}${p.line ? `:${p.line}` : ""}: `;
      lines.push(`  ${colour.red("✗")} ${where}${p.message} ${colour.dim(`[${p.code}]`)}`);
    }
  }
  lines.push(`${colour.red(`${result.problems.length} problem(s)`)} in ${byFile.size} file(s); checked ${what}`);
  return lines;
}
