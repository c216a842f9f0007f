import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { SchemaError } from "../../errors/index.ts";
import { ErrorCode, TASKS_DIR } from "../../protocol/index.ts";
import { parseTaskJson } from "./parse-json.ts";
import { safeParseTask } from "./parse-task.ts";
import type { TaskDefinition } from "./task-definition.ts";

export { TASKS_DIR };
export const TASK_JSON_SCHEMA_FILE = "task.schema.json";

export interface LoadTasksResult {
  tasks: Map<string, TaskDefinition>;
  /** Files that are not served, each with why. */
  invalid: { file: string; error: SchemaError }[];
}

interface Candidate {
  file: string;
  mtimeMs: number;
  task: TaskDefinition;
}

/**
 * Reads every `tasks/*.json` of the hub folder. A file that is invalid is left out and
 * reported; the others are still served. Two files may not declare the same task name: the
 * file that served it before (`serving`: task name → file) keeps it, else the older file; the
 * newer one is refused naming both.
 */
export function loadTasks(hubDir: string, serving: ReadonlyMap<string, string> = new Map()): LoadTasksResult {
  const dir = path.join(hubDir, TASKS_DIR);
  const result: LoadTasksResult = { tasks: new Map(), invalid: [] };
  if (!existsSync(dir)) return result;
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".json") && name !== TASK_JSON_SCHEMA_FILE)
    .sort();
  const byName = new Map<string, Candidate[]>();
  for (const name of files) {
    const file = path.join(TASKS_DIR, name);
    const full = path.join(dir, name);
    const text = readFileSync(full, "utf8");
    const json = parseTaskJson(text, file);
    const parsed = json.ok ? safeParseTask(json.value, { file, text }) : json;
    if (!parsed.ok) {
      result.invalid.push({ file, error: parsed.error });
      continue;
    }
    const list = byName.get(parsed.value.name) ?? [];
    list.push({ file, mtimeMs: statSync(full).mtimeMs, task: parsed.value });
    byName.set(parsed.value.name, list);
  }
  for (const [name, candidates] of byName) {
    const first = serving.get(name);
    candidates.sort((a, b) => Number(b.file === first) - Number(a.file === first) || a.mtimeMs - b.mtimeMs || a.file.localeCompare(b.file));
    const [kept, ...refused] = candidates;
    result.tasks.set(name, kept!.task);
    for (const { file } of refused) {
      const error = new SchemaError(ErrorCode.TASK_SCHEMA_INVALID, `${file} name: task "${name}" is already defined in ${kept!.file}; this file is not served`, {
        details: { file, field: "name", other: kept!.file },
      });
      result.invalid.push({ file, error });
    }
  }
  result.invalid.sort((a, b) => a.file.localeCompare(b.file));
  return result;
}
