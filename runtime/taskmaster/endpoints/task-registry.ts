import path from "node:path";
import { NotFoundError, type SchemaError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { loadTasks, TASKS_DIR } from "../schema/load-tasks.ts";
import type { TaskDefinition } from "../schema/task-definition.ts";
import { unknownEndpoints, type KnownEndpoints } from "../schema/check-endpoints.ts";

/** The task schemas this taskmaster serves, and the files it refused. */
export class TaskRegistry {
  private tasks = new Map<string, TaskDefinition>();
  private invalidFiles: { file: string; error: SchemaError }[] = [];
  /** Task name → the file that served it at the last reload (kept even while refused for its endpoints). */
  private servedBy = new Map<string, string>();

  constructor(private readonly hubDir: string) {}

  /** Reads `tasks/` again; returns the files that are not served. */
  reload(): { file: string; error: SchemaError }[] {
    // The file serving a name keeps it when another file claims the same name later.
    const loaded = loadTasks(this.hubDir, this.servedBy);
    this.tasks = loaded.tasks;
    this.servedBy = new Map([...loaded.tasks].map(([name, task]) => [name, task.file]));
    this.invalidFiles = loaded.invalid;
    return this.invalidFiles;
  }

  /**
   * Stops serving the tasks whose steps call endpoints that live actors do not have; they
   * are listed as invalid with why, until a reload finds them fixed.
   */
  refuseUnknownEndpoints(known: KnownEndpoints): { file: string; error: SchemaError }[] {
    const refused: { file: string; error: SchemaError }[] = [];
    for (const [name, task] of this.tasks) {
      const error = unknownEndpoints(task, known);
      if (!error) continue;
      this.tasks.delete(name);
      refused.push({ file: task.file, error });
    }
    this.invalidFiles = [...this.invalidFiles, ...refused];
    return refused;
  }

  list(): TaskDefinition[] {
    return [...this.tasks.values()];
  }

  invalid(): { file: string; error: SchemaError }[] {
    return this.invalidFiles;
  }

  /**
   * The task named `name`.
   * @throws TASK_SCHEMA_INVALID when its file (`tasks/<name>.json`) was refused at load;
   *   NOT_FOUND when there is no such task.
   */
  get(name: string): TaskDefinition {
    const task = this.tasks.get(name);
    if (task) return task;
    const refused = this.invalidFiles.find((f) => f.file === path.join(TASKS_DIR, `${name}.json`));
    if (refused) throw refused.error;
    const known = [...this.tasks.keys()].join(", ") || "none";
    throw new NotFoundError(ErrorCode.NOT_FOUND, `no task named "${name}" (tasks: ${known})`);
  }
}
