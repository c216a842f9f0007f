import { SchemaError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import type { TaskDefinition } from "./task-definition.ts";

/** Actor name → the endpoints its live instances serve. */
export type KnownEndpoints = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * Finds steps calling an endpoint that a live actor does not have. Only actors that are up
 * can be checked: a step calling an actor not running yet is left alone (it is checked again
 * later, and at call time in any case). Pure.
 */
export function unknownEndpoints(task: TaskDefinition, known: KnownEndpoints): SchemaError | undefined {
  for (const step of task.steps) {
    if (!step.target) continue;
    const endpoints = known.get(step.target.actor);
    if (!endpoints || endpoints.has(step.target.endpoint)) continue;
    const has = [...endpoints].sort().join(", ") || "none";
    return new SchemaError(
      ErrorCode.TASK_SCHEMA_INVALID,
      `${task.file} steps[${step.index}] "${step.id}".call: unknown endpoint "${step.call}" (actor "${step.target.actor}" has: ${has})`,
      { details: { file: task.file, step: step.id, field: "call" } },
    );
  }
  return undefined;
}
