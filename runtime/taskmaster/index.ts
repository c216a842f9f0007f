/**
 * @module taskmaster
 * Task schemas (tasks/*.json) → validation at load → xstate machines with one parallel
 * region per step → runs persisted in the database, resumed after a restart. Folders by job:
 * schema/, run/, store/, endpoints/ (the `taskmaster` actor). Never the hub, the gateway or the
 * db module.
 * May import: sdk, config, log, protocol and errors.
 */
export { createTaskmasterActor, type TaskmasterOptions } from "./endpoints/taskmaster-actor.ts";
export { taskSchema, stepSchema, retrySchema, type TaskSchema, type StepSchema, type RetrySchema } from "./schema/task-schema.ts";
export { parseTask, safeParseTask, type ParseTaskOptions, type SafeParseTaskResult } from "./schema/parse-task.ts";
export { loadTasks, TASKS_DIR, TASK_JSON_SCHEMA_FILE, type LoadTasksResult } from "./schema/load-tasks.ts";
export { taskJsonSchema } from "./schema/task-json-schema.ts";
export { createTaskMachine, type TaskMachine, type RunContext, type RunEnv, type RunEvent } from "./run/task-machine.ts";
export { describeDag, type Dag, type DagNode, type DagEdge } from "./schema/dag.ts";
export { systemClock, type Clock } from "./run/clock.ts";
export type { TaskDefinition, StepDefinition } from "./schema/task-definition.ts";
export {
  RUN_STATUSES,
  STEP_STATUSES,
  type RunStatus,
  type StepStatus,
  type RunRecord,
  type RunDetail,
  type StepRecord,
  type RunError,
} from "./run/run-types.ts";
