/**
 * Writes `tasks/task.schema.json` from the zod schema: `node bin/run-ts.mjs runtime/taskmaster/schema/write-task-json-schema.ts [hubDir]`.
 * The file is never edited by hand; a unit test fails when it is out of date.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { TASKS_DIR, TASK_JSON_SCHEMA_FILE } from "./load-tasks.ts";
import { taskJsonSchema } from "./task-json-schema.ts";

const file = path.resolve(process.argv[2] ?? ".", TASKS_DIR, TASK_JSON_SCHEMA_FILE);
writeFileSync(file, `${JSON.stringify(taskJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${file}\n`);
