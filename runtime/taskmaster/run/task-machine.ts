import { assign, fromCallback, fromPromise, setup, type ActorRefFrom, type SnapshotFrom } from "xstate";
import { ErrorCode, TaskErrorCode } from "../../protocol/index.ts";
import type { Clock } from "./clock.ts";
import type { Bindings } from "../schema/expression.ts";
import type { RunError, StepRecord, StepStatus, StepWait } from "./run-types.ts";
import { isSettledStep } from "./run-types.ts";
import { countsCallOnEntry, executeStep, type RunServices, type StepCall, type StepOutcome, type WaitEnv } from "./step-executor.ts";
import { catchOf, type StepDefinition, type TaskDefinition } from "../schema/task-definition.ts";
import { evaluateOutput } from "./task-output.ts";
import { shouldRun } from "./trigger-rules.ts";

/** What a run needs from outside: the way to call endpoints, the clock, the stored waits, child runs and fan-out items. */
export interface RunEnv {
  call: StepCall;
  clock: Clock;
  waits: WaitEnv;
  services: RunServices;
}

export interface RunContext {
  runId: string;
  input: unknown;
  steps: Record<string, StepRecord>;
  output?: unknown;
  error?: RunError;
  env: RunEnv;
  /** Epoch ms when the run passes its deadline (the task's `timeoutMs` from the run's start). */
  deadlineAt?: number;
}

export interface RunMachineInput {
  runId: string;
  input: unknown;
  env: RunEnv;
  deadlineAt?: number;
  /** Records of steps that already ran (a resumed run): finished ones are not run again. */
  steps?: Record<string, StepRecord>;
}

export type RunEvent =
  | { type: "fuse.step.attempt"; step: string }
  | { type: "fuse.step.waiting"; step: string; waiting: StepWait | undefined }
  | { type: "fuse.step.done"; step: string; outcome: StepOutcome }
  | { type: "fuse.step.child"; step: string; childRunId: string }
  | { type: "fuse.run.cancel" };

interface StepActorInput {
  step: StepDefinition;
  runId: string;
  bindings: Bindings;
  env: RunEnv;
  record: StepRecord;
}

const FINAL_STEP: readonly StepStatus[] = ["succeeded", "skipped", "failed"];

/**
 * Runs the step outside the machine and reports back as events; stopping it before the
 * step ends aborts the step. The first call is counted on entry to `running`, so a step
 * that succeeds at once costs the machine a single event.
 */
const stepLogic = fromCallback<RunEvent, StepActorInput>(({ input, sendBack }) => {
  const controller = new AbortController();
  const { step, runId, bindings, env, record } = input;
  // A fan-out may make no call at all, and a wait makes none, so there the entry action counts nothing.
  const countedOnEntry = countsCallOnEntry(step) ? 1 : 0;
  let calls = 0;
  let ended = false;
  const onAttempt = () => {
    if (++calls > countedOnEntry && !controller.signal.aborted) sendBack({ type: "fuse.step.attempt", step: step.id });
  };
  const onWaiting = (waiting: StepWait | undefined) => {
    if (!controller.signal.aborted) sendBack({ type: "fuse.step.waiting", step: step.id, waiting });
  };
  const onChild = (childRunId: string) => {
    if (!controller.signal.aborted) sendBack({ type: "fuse.step.child", step: step.id, childRunId });
  };
  const stepEnv = { runId, call: env.call, clock: env.clock, signal: controller.signal, onAttempt, onWaiting, onChild, record, waits: env.waits, services: env.services };
  void executeStep(step, bindings, stepEnv).then(
    (outcome) => {
      ended = true;
      if (!controller.signal.aborted) sendBack({ type: "fuse.step.done", step: step.id, outcome });
    },
  );
  // Aborting costs a DOMException; only a step still in flight needs it.
  return () => {
    if (!ended) controller.abort();
  };
});

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

/**
 * Compiles a task into an xstate machine: the `running` state is parallel, with one region
 * per step that leaves `waiting` as soon as every prerequisite has settled. A step failing
 * with `onError: "fail"` leaves the parallel state for `failed`, which stops every region (and
 * so aborts every step in flight).
 */
export function createTaskMachine(task: TaskDefinition) {
  const m = setup({
    types: {} as { context: RunContext; events: RunEvent; input: RunMachineInput },
    delays: { runDeadline: ({ context }) => Math.max(0, (context.deadlineAt ?? 0) - context.env.clock.now()) },
    actors: {
      step: stepLogic,
      output: fromPromise<unknown, RunContext>(({ input }) => evaluateOutput(task, input)),
    },
  });

  const updateStep = (id: string, patch: (record: StepRecord, context: RunContext, event: RunEvent) => Partial<StepRecord>) =>
    m.assign({
      steps: ({ context, event }) => {
        const record = context.steps[id]!;
        return { ...context.steps, [id]: { ...record, ...patch(record, context, event) } };
      },
    });

  const finish = (id: string) =>
    updateStep(id, (_r, context, event) => {
      const outcome = (event as Extract<RunEvent, { type: "fuse.step.done" }>).outcome;
      const patch: Partial<StepRecord> = { status: outcome.status, endedAt: context.env.clock.now(), waiting: undefined };
      if (outcome.status === "succeeded") patch.output = outcome.output;
      if (outcome.status === "failed") patch.error = outcome.error;
      return patch;
    });

  const outcomeIs = (id: string, status: StepOutcome["status"]) => ({ event }: { event: RunEvent }) =>
    event.type === "fuse.step.done" && event.step === id && event.outcome.status === status;

  // A failure the step's `onError` rules do not let the run continue past.
  const failsRun = (step: StepDefinition, error: RunError | undefined) => catchOf(step, error?.code ?? "").then === "fail";
  const failedOutcome = (event: RunEvent) => (event as Extract<RunEvent, { type: "fuse.step.done" }>).outcome as Extract<StepOutcome, { status: "failed" }>;

  const region = (step: StepDefinition) => {
    const id = step.id;
    const settled = ({ context }: { context: RunContext }) => step.after.every((d) => isSettledStep(context.steps[d]!.status));
    return {
      initial: "waiting" as const,
      states: {
        waiting: {
          always: [
            // A resumed run: steps that finished before the restart keep their outcome.
            ...FINAL_STEP.map((status) => ({
              guard: ({ context }: { context: RunContext }) => context.steps[id]!.status === status && !(status === "failed" && failsRun(step, context.steps[id]!.error)),
              target: status,
            })),
            {
              guard: ({ context }: { context: RunContext }) => context.steps[id]!.status === "failed",
              target: "#run.failed",
            },
            { guard: ({ context }: { context: RunContext }) => settled({ context }) && shouldRun(step, context.steps, task), target: "running" },
            // Its trigger rule says no (a prerequisite was skipped or failed): skipped, not called with missing input.
            { guard: settled, target: "skipped", actions: updateStep(id, (_r, context) => ({ status: "skipped", endedAt: context.env.clock.now() })) },
          ],
        },
        running: {
          entry: updateStep(id, (r, context) => ({ status: "running", startedAt: context.env.clock.now(), attempts: r.attempts + (countsCallOnEntry(step) ? 1 : 0) })),
          invoke: {
            src: "step" as const,
            input: ({ context }: { context: RunContext }): StepActorInput => ({
              step,
              runId: context.runId,
              bindings: bindingsFor(step, context),
              env: context.env,
              record: context.steps[id]!,
            }),
          },
          on: {
            "fuse.step.attempt": {
              guard: ({ event }: { event: RunEvent }) => event.type === "fuse.step.attempt" && event.step === id,
              actions: updateStep(id, (r) => ({ attempts: r.attempts + 1 })),
            },
            "fuse.step.waiting": {
              guard: ({ event }: { event: RunEvent }) => event.type === "fuse.step.waiting" && event.step === id,
              actions: updateStep(id, (_r, _c, event) => {
                const waiting = (event as Extract<RunEvent, { type: "fuse.step.waiting" }>).waiting;
                return { status: waiting ? "waiting" : "running", waiting };
              }),
            },
            "fuse.step.child": {
              guard: ({ event }: { event: RunEvent }) => event.type === "fuse.step.child" && event.step === id,
              actions: updateStep(id, (_r, _c, event) => ({ childRunId: (event as Extract<RunEvent, { type: "fuse.step.child" }>).childRunId })),
            },
            "fuse.step.done": [
              { guard: outcomeIs(id, "succeeded"), target: "succeeded", actions: finish(id) },
              { guard: outcomeIs(id, "skipped"), target: "skipped", actions: finish(id) },
              {
                guard: ({ event }: { event: RunEvent }) => outcomeIs(id, "failed")({ event }) && !failsRun(step, failedOutcome(event).error),
                target: "failed",
                actions: finish(id),
              },
              { guard: outcomeIs(id, "failed"), target: "#run.failed", actions: [finish(id), failRun(id)] },
            ],
          },
        },
        succeeded: { type: "final" as const },
        skipped: { type: "final" as const },
        failed: { type: "final" as const },
      },
    };
  };

  const failRun = (id: string) =>
    m.assign({
      error: ({ event }) => {
        const error = (event as Extract<RunEvent, { type: "fuse.step.done" }>).outcome as { error: RunError };
        return { ...error.error, message: `step "${id}" failed: ${error.error.message}`, details: { step: id, cause: error.error.details ?? null } };
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

  return m.createMachine({
    id: "run",
    context: ({ input }) => ({
      runId: input.runId,
      input: input.input,
      env: input.env,
      ...(input.deadlineAt !== undefined ? { deadlineAt: input.deadlineAt } : {}),
      steps: Object.fromEntries(task.steps.map((s) => [s.id, input.steps?.[s.id] ?? pendingRecord(s.id)])),
    }),
    initial: "running",
    states: {
      running: {
        type: "parallel",
        states: Object.fromEntries(task.steps.map((s) => [s.id, region(s)])),
        onDone: "output",
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
                message: `output: expression ${JSON.stringify(task.output?.source ?? "")} failed: ${(event.error as Error).message}`,
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
