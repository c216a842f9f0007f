import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { SchemaError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { safeParseTask } from "./parse-task.ts";
import type { TaskDefinition } from "./task-definition.ts";

export const TASKS_DIR = "tasks";
export const TASK_JSON_SCHEMA_FILE = "task.schema.json";

export interface LoadTasksResult {
  tasks: Map<string, TaskDefinition>;
  /** Files that are not served, each with why. */
  invalid: { file: string; error: SchemaError }[];
}

function parseJson(text: string, file: string): { ok: true; value: unknown } | { ok: false; error: SchemaError } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = (error as Error).message.replace(/^(Unexpected|Expected)/, (w) => w.toLowerCase());
    return { ok: false, error: new SchemaError(ErrorCode.TASK_SCHEMA_INVALID, `${file}: invalid JSON: ${message}`, { details: { file } }) };
  }
}

/**
 * Reads every `tasks/*.json` of the hub folder. A file that is invalid is left out and
 * reported; the others are still served. Two files may not declare the same task name.
 */
export function loadTasks(hubDir: string): LoadTasksResult {
  const dir = path.join(hubDir, TASKS_DIR);
  const result: LoadTasksResult = { tasks: new Map(), invalid: [] };
  if (!existsSync(dir)) return result;
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".json") && name !== TASK_JSON_SCHEMA_FILE)
    .sort();
  for (const name of files) {
    const file = path.join(TASKS_DIR, name);
    const text = readFileSync(path.join(dir, name), "utf8");
    const json = parseJson(text, file);
    const parsed = json.ok ? safeParseTask(json.value, { file, text }) : json;
    if (!parsed.ok) {
      result.invalid.push({ file, error: parsed.error });
      continue;
    }
    const other = result.tasks.get(parsed.value.name);
    if (other) {
      const error = new SchemaError(ErrorCode.TASK_SCHEMA_INVALID, `${file} name: task "${parsed.value.name}" is already defined in ${other.file}`, {
        details: { file, field: "name" },
      });
      result.invalid.push({ file, error });
      continue;
    }
    result.tasks.set(parsed.value.name, parsed.value);
  }
  return result;
}
