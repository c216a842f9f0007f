import { z } from "zod";
import { defineActor, defineEndpoint, type ActorContext } from "../sdk/index.ts";
import { systemClock, type Clock } from "./clock.ts";
import { describeDag } from "./dag.ts";
import {
  listOutput,
  resultOutput,
  runDetailShape,
  runIdInput,
  runInput,
  runRecordShape,
  runsInput,
  showOutput,
} from "./endpoint-schemas.ts";
import { RunEngine } from "./run-engine.ts";
import { openRunStore } from "./open-run-store.ts";
import type { RunStore } from "./run-store.ts";
import type { TaskDefinition } from "./task-definition.ts";
import { TaskRegistry } from "./task-registry.ts";

export interface TaskmasterOptions {
  /** The hub folder; task schemas are read from its `tasks/`. */
  hubDir: string;
  /** libSQL URL of the run store: a sqld `http://` URL, or `file:` in tests. */
  dbUrl: string;
  /** Default: the system clock. */
  clock?: Clock;
  /** How often tasks/ is read again and checked against the live actors. Default 10 000 ms. */
  refreshMs?: number;
}

// A reply sent right at the caller's deadline arrives too late; answer a little before.
const REPLY_MARGIN_MS = 250;

function summary(task: TaskDefinition) {
  return { name: task.name, file: task.file, steps: task.steps.length, ...(task.description ? { description: task.description } : {}) };
}

/**
 * The `taskmaster` actor: serves the task schemas of `tasks/`, runs them as xstate machines
 * that call the steps' endpoints, and persists every run so that it survives a restart.
 */
export function createTaskmasterActor(options: TaskmasterOptions) {
  const clock = options.clock ?? systemClock;
  const registry = new TaskRegistry(options.hubDir);
  let store: RunStore | undefined;
  let engine: RunEngine | undefined;
  const running = () => engine!;

  const listing = () => ({
    tasks: registry.list().map(summary),
    invalid: registry.invalid().map(({ file, error }) => ({ file, code: error.code, message: error.message, details: error.details })),
  });

  // Reads tasks/ again and checks the steps against the actors that are up; run at start and
  // then periodically, so edited files and actors that come later are taken into account.
  let refreshTimer: NodeJS.Timeout | undefined;
  let lastRefused = "";
  const refresh = async (ctx: ActorContext) => {
    const refused = registry.reload();
    const services = await ctx.discover({ timeoutMs: 500 }).catch(() => []);
    const known = new Map<string, Set<string>>();
    for (const s of services) for (const e of s.endpoints) known.set(s.actor, (known.get(s.actor) ?? new Set()).add(e.name));
    refused.push(...registry.refuseUnknownEndpoints(known));
    const signature = refused.map((r) => r.error.message).join("\n");
    if (signature !== lastRefused) for (const { error } of refused) ctx.log.error({ err: error, code: error.code }, "task schema refused");
    lastRefused = signature;
  };

  const start = async (ctx: ActorContext) => {
    await refresh(ctx);
    refreshTimer = setInterval(() => void refresh(ctx).catch((err) => ctx.log.warn({ err }, "task refresh failed")), options.refreshMs ?? 10_000);
    refreshTimer.unref();
    store = await openRunStore(options.dbUrl);
    engine = new RunEngine({
      store,
      clock,
      log: ctx.log,
      call: (target, input, { timeoutMs, idempotencyKey }, traceId) => ctx.call(target, input, { timeout: timeoutMs, idempotencyKey, traceId }),
    });
    await engine.resume();
    ctx.log.info({ tasks: registry.list().length, invalid: registry.invalid().length }, "task schemas loaded");
  };

  return defineActor({
    name: "taskmaster",
    description: "Runs task schemas (tasks/*.json) as DAGs of actor calls, durably",
    start,
    async stop() {
      clearInterval(refreshTimer);
      await engine?.stop();
      store?.close();
    },
    endpoints: {
      list: defineEndpoint({
        description: "Lists the task schemas served, and the files refused with why",
        input: z.object({}),
        output: listOutput,
        http: { method: "GET", path: "/tasks" },
        handler: () => listing(),
      }),
      reload: defineEndpoint({
        description: "Reads tasks/ again",
        input: z.object({}),
        output: listOutput,
        handler: async (_input, ctx) => {
          await refresh(ctx);
          return listing();
        },
      }),
      show: defineEndpoint({
        description: "Shows one task schema with its DAG",
        input: z.strictObject({ name: z.string().min(1) }),
        output: showOutput,
        http: { method: "GET", path: "/tasks/:name" },
        handler: ({ name }) => {
          const task = registry.get(name);
          return { ...summary(task), schema: task.schema, dag: describeDag(task) };
        },
      }),
      run: defineEndpoint({
        description: "Runs a task: returns its run id at once, or with `wait` its output",
        input: runInput,
        output: runRecordShape,
        handler: async ({ task, input, wait, timeoutMs }, ctx) => {
          const definition = registry.get(task);
          const run = await running().start(definition, input, {
            traceId: ctx.traceId,
            ...(ctx.idempotencyKey ? { idempotencyKey: ctx.idempotencyKey } : {}),
          });
          if (!wait) return run;
          const budget = Math.max(0, Math.min(timeoutMs ?? Infinity, ctx.remainingMs() - REPLY_MARGIN_MS));
          const { steps: _steps, ...record } = await running().wait(run.id, budget);
          return record;
        },
      }),
      status: defineEndpoint({
        description: "A run's status with every step",
        input: runIdInput,
        output: runDetailShape,
        http: { method: "GET", path: "/tasks/runs/:runId" },
        handler: ({ runId }) => running().detail(runId),
      }),
      runs: defineEndpoint({
        description: "Lists runs, newest first, by task, status and start time",
        input: runsInput,
        output: z.object({ runs: z.array(runRecordShape) }),
        handler: async (filter) => ({ runs: await running().list(filter) }),
      }),
      cancel: defineEndpoint({
        description: "Cancels a run; steps in flight are abandoned",
        input: runIdInput,
        output: runDetailShape,
        handler: ({ runId }) => running().cancel(runId),
      }),
      result: defineEndpoint({
        description: "A run's full result as JSON: every step's output and the task schema it ran",
        input: runIdInput,
        output: resultOutput,
        http: { method: "GET", path: "/tasks/runs/:runId/result" },
        handler: async ({ runId }) => {
          const run = await running().detail(runId);
          return { run, schema: await running().schemaOf(runId) };
        },
      }),
    },
  });
}
