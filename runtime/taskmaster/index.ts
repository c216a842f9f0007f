/**
 * @module taskmaster
 * Task schemas (tasks/*.json) → validation at load → xstate machines with one parallel
 * region per step → runs persisted in the database, resumed after a restart. The
 * `taskmaster` actor serves them on the bus. Imports sdk, errors, protocol and log; never the
 * hub, the gateway or the db module.
 */
export { createTaskmasterActor, type TaskmasterOptions } from "./taskmaster-actor.ts";
export { taskSchema, stepSchema, retrySchema, type TaskSchema, type StepSchema, type RetrySchema } from "./task-schema.ts";
export { parseTask, safeParseTask, type ParseTaskOptions, type SafeParseTaskResult } from "./parse-task.ts";
export { loadTasks, TASKS_DIR, TASK_JSON_SCHEMA_FILE, type LoadTasksResult } from "./load-tasks.ts";
export { taskJsonSchema } from "./task-json-schema.ts";
export { createTaskMachine, type TaskMachine, type RunContext, type RunEnv, type RunEvent } from "./task-machine.ts";
export { describeDag, type Dag, type DagNode, type DagEdge } from "./dag.ts";
export { systemClock, type Clock } from "./clock.ts";
export type { TaskDefinition, StepDefinition } from "./task-definition.ts";
export {
  RUN_STATUSES,
  STEP_STATUSES,
  type RunStatus,
  type StepStatus,
  type RunRecord,
  type RunDetail,
  type StepRecord,
  type RunError,
} from "./run-types.ts";
