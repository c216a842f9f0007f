import { NotFoundError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import type { TaskDefinition } from "../schema/task-definition.ts";
import { itemStatement, readItems } from "../store/item-store.ts";
import type { RunStore } from "../store/run-store.ts";
import type { RunWriter } from "../store/run-writer.ts";
import { runChild, type ChildRunHost } from "./child-runs.ts";
import type { RunDetail, RunRecord } from "./run-types.ts";
import type { RunServices } from "./step-env.ts";

/** What the engine lends the runs' sub-task steps and fan-outs. */
export interface RunServicesOptions {
  /** Resolves once the runs to resume are back. */
  ready: Promise<void>;
  /** How sub-task steps find their task (it may be set after the engine is built). */
  taskNamed(): ((name: string) => TaskDefinition) | undefined;
  /** Starts a child run, idempotent by `key`, with its parent's trace id. */
  startChild(task: TaskDefinition, input: unknown, key: string, parent: { runId: string; stepId: string }, traceId: string): Promise<RunRecord>;
  /** Resolves with a run once it is over. */
  ended(runId: string): Promise<RunDetail>;
  cancel(runId: string): Promise<unknown>;
  /** True while the taskmaster stops: steps given up then must not cancel their child runs, which resume later. */
  stopping(): boolean;
  store: RunStore;
  writer: RunWriter;
  log: Logger;
}

/** Sub-task steps and fan-out items of one run; a fresh run has no finished items to read. */
export function createRunServices(options: RunServicesOptions, run: RunRecord, resumed: boolean): RunServices {
  const { store, writer, log } = options;
  const host: ChildRunHost = {
    ready: options.ready,
    task: (name) => {
      const taskNamed = options.taskNamed();
      if (!taskNamed) throw new NotFoundError(ErrorCode.NOT_FOUND, `no task named "${name}"`);
      return taskNamed(name);
    },
    startChild: (task, input, key, parent) => options.startChild(task, input, key, parent, run.traceId),
    ended: (runId) => options.ended(runId),
    abandon: (runId) => {
      if (!options.stopping()) void options.cancel(runId).catch((err: unknown) => log.warn({ err, runId }, "child run not cancelled"));
    },
  };
  return {
    runChild: (parent, task, input, signal, onChild) => runChild(host, parent, task, input, signal, onChild),
    finishedItems: resumed ? (runId, stepId) => readItems(store.executor, runId, stepId) : async () => new Map(),
    itemDone: (runId, stepId, index, output) => writer.queue(`item:${runId}:${stepId}:${index}`, itemStatement(runId, stepId, index, output)),
  };
}
