import { z } from "zod";
import { taskSchema } from "./task-schema.ts";

/** The JSON Schema of task files, generated from the zod schema (`tasks/task.schema.json`). */
export function taskJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(taskSchema, { io: "input", target: "draft-2020-12" }),
    $id: "https://fuse.dev/schemas/task.schema.json",
    title: "Fuse task schema",
  };
}
