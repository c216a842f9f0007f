import { taskmasterContract } from "../../protocol/index.ts";
import { defineEndpoint, type ActorContext } from "../../sdk/internal.ts";
import { describeDag } from "../schema/dag.ts";
import type { TaskDefinition } from "../schema/task-definition.ts";
import type { TaskRegistry } from "./task-registry.ts";

const { endpoints } = taskmasterContract;

function summary(task: TaskDefinition) {
  return { name: task.name, file: task.file, steps: task.steps.length, ...(task.description ? { description: task.description } : {}) };
}

export interface TaskEndpointsDeps {
  registry: TaskRegistry;
  /** Reads tasks/ again and checks the steps against the live actors. */
  refresh(ctx: ActorContext): Promise<void>;
}

/** `taskmaster.list`, `taskmaster.reload` and `taskmaster.show`: the task schemas served, and those refused. */
export function taskEndpoints({ registry, refresh }: TaskEndpointsDeps) {
  const listing = () => ({
    tasks: registry.list().map(summary),
    invalid: registry.invalid().map(({ file, error }) => ({ file, code: error.code, message: error.message, details: error.details })),
  });
  return {
    list: defineEndpoint({ ...endpoints.list, handler: () => listing() }),
    reload: defineEndpoint({
      ...endpoints.reload,
      handler: async (_input, ctx) => {
        await refresh(ctx);
        return listing();
      },
    }),
    show: defineEndpoint({
      ...endpoints.show,
      handler: ({ name }) => {
        const task = registry.get(name);
        return { ...summary(task), schema: task.schema, dag: describeDag(task) };
      },
    }),
  };
}
