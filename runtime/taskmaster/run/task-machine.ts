import { assign, fromPromise, setup, type ActorRefFrom, type SnapshotFrom } from "xstate";
import { ErrorCode, TaskErrorCode } from "../../protocol/index.ts";
import type { Bindings } from "../schema/expression.ts";
import type { RunError, StepRecord } from "./run-types.ts";
import { isSettledStep } from "./run-types.ts";
import type { RunEnv, RunEvent } from "./step-env.ts";
import { countsCallOnEntry, type StepOutcome } from "./step-executor.ts";
import type { StepRunner, StepStart } from "./step-runner.ts";
import { catchOf, type StepDefinition, type TaskDefinition } from "../schema/task-definition.ts";
import { evaluateOutput, stepOutputs } from "./task-output.ts";
import { createStepSchedule, decideSteps } from "./step-schedule.ts";

export type { RunEnv, RunEvent } from "./step-env.ts";

export interface RunContext {
  runId: string;
  input: unknown;
  steps: Record<string, StepRecord>;
  output?: unknown;
  error?: RunError;
  env: RunEnv;
  /** Runs the steps the machine starts, and reports back to it. */
  runner: StepRunner;
  /** Steps not settled yet: the run computes its output when none is left. */
  unsettled: number;
  /** Epoch ms when the run passes its deadline (the task's `timeoutMs` from the run's start). */
  deadlineAt?: number;
}

export interface RunMachineInput {
  runId: string;
  input: unknown;
  env: RunEnv;
  runner: StepRunner;
  deadlineAt?: number;
  /** Records of steps that already ran (a resumed run): finished ones are not run again. */
  steps?: Record<string, StepRecord>;
}

function bindingsFor(step: StepDefinition, context: RunContext): Bindings {
  const steps: Record<string, unknown> = {};
  for (const id of step.reads) steps[id] = context.steps[id]?.output;
  const errors: Record<string, unknown> = {};
  for (const id of step.errorReads) errors[id] = context.steps[id]?.error;
  return { input: context.input, steps, errors };
}

function pendingRecord(id: string): StepRecord {
  return { id, status: "pending", attempts: 0 };
}

type DoneEvent = Extract<RunEvent, { type: "fuse.step.done" }>;
type StepEvent = Exclude<RunEvent, { type: "fuse.run.cancel" }>;

/**
 * Compiles a task into an xstate machine for the run's lifecycle (`running` → `output` when the
 * task has an output expression → `succeeded`, or `failed` / `cancelled`). While `running`,
 * each step is handed to the run's StepRunner as soon as every prerequisite has settled: when a
 * step settles, only its dependents are looked at (`decideSteps`), so a step costs the machine
 * one event whatever the task's size. A step failing with `onError: "fail"` moves the run to
 * `failed`: leaving `running` aborts every step in flight.
 */
export function createTaskMachine(task: TaskDefinition) {
  const schedule = createStepSchedule(task);
  const m = setup({
    types: {} as { context: RunContext; events: RunEvent; input: RunMachineInput },
    delays: { runDeadline: ({ context }) => Math.max(0, (context.deadlineAt ?? 0) - context.env.clock.now()) },
    actors: {
      // Invoked only by the `output` state, which a task without an output expression never enters.
      output: fromPromise<unknown, RunContext>(({ input }) => evaluateOutput(task.output!, input)),
    },
  });

  // A failure the step's `onError` rules do not let the run continue past.
  const failsRun = (step: StepDefinition, error: RunError | undefined) => catchOf(step, error?.code ?? "").then === "fail";

  /** Changes one step's record (only while it runs: a stopped step's late events are dropped). */
  const updateRunning = (patch: (record: StepRecord, event: StepEvent) => Partial<StepRecord>) =>
    m.assign({
      steps: ({ context, event }) => {
        const e = event as StepEvent;
        const record = context.steps[e.step]!;
        if (record.status !== "running" && record.status !== "waiting") return context.steps;
        return { ...context.steps, [e.step]: { ...record, ...patch(record, e) } };
      },
    });

  /**
   * Starts the steps whose prerequisites have all settled and marks `skipped` those whose
   * trigger rule says no: among every step when the run starts (or resumes), else among the
   * dependents of the step that just settled.
   */
  const startReady = m.enqueueActions(({ context, event, enqueue }) => {
    const candidates = event.type === "fuse.step.done" ? schedule.dependents.get(event.step)! : task.steps.map((s) => s.id);
    const { run, skip } = decideSteps(schedule, context.steps, candidates);
    if (!run.length && !skip.length) return;
    const now = context.env.clock.now();
    const steps = { ...context.steps };
    for (const id of skip) steps[id] = { ...steps[id]!, status: "skipped", endedAt: now };
    for (const id of run) {
      const step = task.byId.get(id)!;
      steps[id] = { ...steps[id]!, status: "running", startedAt: now, attempts: steps[id]!.attempts + (countsCallOnEntry(step) ? 1 : 0) };
    }
    const next = { ...context, steps };
    enqueue.assign({ steps, unsettled: context.unsettled - skip.length });
    for (const id of run) {
      const step = task.byId.get(id)!;
      const start: StepStart = { step, runId: context.runId, bindings: bindingsFor(step, next), env: context.env, record: steps[id]! };
      enqueue(() => context.runner.start(start));
    }
  });

  /** Records how a step ended; it settles (its dependents may start) unless it failed the run. */
  const finishStep = m.enqueueActions(({ context, event, enqueue }) => {
    const { step: id, outcome } = event as DoneEvent;
    const patch: Partial<StepRecord> = { status: outcome.status, endedAt: context.env.clock.now(), waiting: undefined };
    if (outcome.status === "succeeded") patch.output = outcome.output;
    if (outcome.status === "failed") patch.error = outcome.error;
    enqueue.assign({ steps: { ...context.steps, [id]: { ...context.steps[id]!, ...patch } }, unsettled: context.unsettled - 1 });
  });

  // The outcome of a step in flight (a stopped step's late report is dropped).
  const stepDone = ({ context, event }: { context: RunContext; event: RunEvent }) => {
    const status = event.type === "fuse.step.done" ? context.steps[event.step]?.status : undefined;
    return status === "running" || status === "waiting";
  };
  const doneFailsRun = ({ context, event }: { context: RunContext; event: RunEvent }) => {
    if (!stepDone({ context, event })) return false;
    const { step, outcome } = event as DoneEvent;
    return outcome.status === "failed" && failsRun(task.byId.get(step)!, outcome.error);
  };

  const failRun = m.assign({
    error: ({ event }) => {
      const { step: id, outcome } = event as DoneEvent;
      const error = (outcome as Extract<StepOutcome, { status: "failed" }>).error;
      return { ...error, message: `step "${id}" failed: ${error.message}`, details: { step: id, cause: error.details ?? null } };
    },
  });

  const stopInFlight = m.assign({
    steps: ({ context }) => {
      const now = context.env.clock.now();
      const steps = { ...context.steps };
      for (const [id, record] of Object.entries(steps)) {
        if (record.status === "running" || record.status === "waiting") steps[id] = { ...record, status: "cancelled", endedAt: now, waiting: undefined };
      }
      return steps;
    },
  });

  // A resumed run whose stored records hold a failure that fails the run.
  const failedBefore = ({ context }: { context: RunContext }) =>
    task.steps.some((s) => context.steps[s.id]!.status === "failed" && failsRun(s, context.steps[s.id]!.error));

  return m.createMachine({
    id: "run",
    context: ({ input }) => {
      const steps = Object.fromEntries(task.steps.map((s) => [s.id, input.steps?.[s.id] ?? pendingRecord(s.id)]));
      return {
        runId: input.runId,
        input: input.input,
        env: input.env,
        runner: input.runner,
        ...(input.deadlineAt !== undefined ? { deadlineAt: input.deadlineAt } : {}),
        steps,
        unsettled: task.steps.filter((s) => !isSettledStep(steps[s.id]!.status)).length,
      };
    },
    initial: "starting",
    states: {
      starting: {
        always: [{ guard: failedBefore, target: "failed" }, { target: "running" }],
      },
      running: {
        entry: startReady,
        // Steps still in flight when the run fails or is cancelled are abandoned.
        exit: ({ context }) => context.runner.stopAll(),
        // Every step settled (succeeded, skipped, or failed and continued past): the output. With
        // no output expression it is the steps' outputs, taken at once (no child actor per run).
        always: task.output
          ? { guard: ({ context }) => context.unsettled === 0, target: "output" }
          : { guard: ({ context }) => context.unsettled === 0, target: "succeeded", actions: assign({ output: ({ context }) => stepOutputs(context.steps) }) },
        ...(task.timeoutMs !== undefined
          ? {
              after: {
                runDeadline: {
                  target: "failed",
                  actions: m.assign({ error: { code: ErrorCode.DEADLINE_EXCEEDED, message: `the run passed its deadline of ${task.timeoutMs} ms` } }),
                },
              },
            }
          : {}),
        on: {
          "fuse.step.attempt": { actions: updateRunning((r) => ({ attempts: r.attempts + 1 })) },
          "fuse.step.waiting": {
            actions: updateRunning((_r, event) => {
              const { waiting } = event as Extract<RunEvent, { type: "fuse.step.waiting" }>;
              return { status: waiting ? "waiting" : "running", waiting };
            }),
          },
          "fuse.step.child": { actions: updateRunning((_r, event) => ({ childRunId: (event as Extract<RunEvent, { type: "fuse.step.child" }>).childRunId })) },
          "fuse.step.done": [
            { guard: doneFailsRun, target: "failed", actions: [finishStep, failRun] },
            { guard: stepDone, actions: [finishStep, startReady] },
          ],
          "fuse.run.cancel": {
            target: "cancelled",
            actions: m.assign({ error: { code: ErrorCode.CANCELLED, message: "the run was cancelled" } }),
          },
        },
      },
      output: {
        invoke: {
          src: "output",
          input: ({ context }) => context,
          onDone: { target: "succeeded", actions: assign({ output: ({ event }) => event.output }) },
          onError: {
            target: "failed",
            actions: assign({
              error: ({ event }) => ({
                code: TaskErrorCode.EXPRESSION_FAILED,
                message: `output: expression ${JSON.stringify(task.output!.source)} failed: ${(event.error as Error).message}`,
              }),
            }),
          },
        },
      },
      succeeded: { type: "final" },
      failed: {
        type: "final",
        entry: [
          stopInFlight,
          // A resumed run can arrive here with the failed step's error only in its record.
          m.assign({
            error: ({ context }) => {
              if (context.error) return context.error;
              const failed = Object.values(context.steps).find((r) => r.status === "failed");
              return { code: failed?.error?.code ?? ErrorCode.HANDLER_FAILED, message: `step "${failed?.id}" failed: ${failed?.error?.message ?? "unknown error"}` };
            },
          }),
        ],
      },
      cancelled: { type: "final", entry: stopInFlight },
    },
  });
}

export type TaskMachine = ReturnType<typeof createTaskMachine>;
export type TaskActor = ActorRefFrom<TaskMachine>;
export type TaskSnapshot = SnapshotFrom<TaskMachine>;
