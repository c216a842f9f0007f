import type { Clock } from "./clock.ts";
import type { StepRecord, StepWait } from "./run-types.ts";
import type { StepOutcome } from "./step-outcome.ts";
import type { WaitBoard } from "./wait-board.ts";

/**
 * How the taskmaster reaches an endpoint: `ctx.call` in the actor, anything alike in tests.
 * One call may run the handler at most once (`ctx.call` repeats on its own only a request that
 * reached no handler), so the attempts a step records are the times its handler could have run.
 */
export type StepCall = (
  target: string,
  input: unknown,
  options: { timeoutMs: number; idempotencyKey: string },
) => Promise<unknown>;

/** What waiting steps need beyond the clock: the stored waits, the in-memory index of waiters, tokens. */
export interface WaitEnv {
  /** Stores what a step waits for before it waits (a restart keeps the due time and token). */
  save(runId: string, stepId: string, wait: StepWait): Promise<void>;
  /** Decides how a wait ended unless it was decided first; returns the outcome that stands. */
  decide(runId: string, stepId: string, kind: StepWait["kind"], outcome: StepOutcome): Promise<StepOutcome>;
  /** The outcome stored for a wait, if it was decided (a signal that came while the taskmaster restarted). */
  decided(runId: string, stepId: string): Promise<StepOutcome | undefined>;
  board: WaitBoard;
  /** A new unguessable token. */
  newToken(): string;
}

/** What sub-task steps and fan-outs need of the engine: child runs, and the items a fan-out already finished. */
export interface RunServices {
  /** Runs the task `task` as a child of the step and resolves with how the child ended; `onChild` hears its run id first. */
  runChild(parent: { runId: string; stepId: string }, task: string, input: unknown, signal: AbortSignal, onChild: (childRunId: string) => void): Promise<StepOutcome>;
  /** The outputs of a fan-out's items that succeeded before (a restart, a rerun), by index. */
  finishedItems(runId: string, stepId: string): Promise<Map<number, unknown>>;
  /** Records that an item succeeded, so a restart does not call it again. */
  itemDone(runId: string, stepId: string, index: number, output: unknown): void;
}

export interface StepEnv {
  runId: string;
  call: StepCall;
  clock: Clock;
  /** Aborts when the run no longer wants the result (cancelled, failed elsewhere, past its deadline). */
  signal: AbortSignal;
  /** Told before every call, retries and fan-out items included. */
  onAttempt(): void;
  /** Told when the step starts waiting (a timer, a retry's backoff, an event, a signal), and with undefined when it goes on. */
  onWaiting(wait: StepWait | undefined): void;
  /** The step's record as it started running: attempts so far (this one counted) and, resumed, what it waited for. */
  record: StepRecord;
  waits: WaitEnv;
  services: RunServices;
  /** Told the child run's id of a sub-task step. */
  onChild(childRunId: string): void;
}

/** What a run needs from outside: the way to call endpoints, the clock, the stored waits, child runs and fan-out items. */
export interface RunEnv {
  call: StepCall;
  clock: Clock;
  waits: WaitEnv;
  services: RunServices;
}

/** What a run's steps report to its machine. */
export type RunEvent =
  | { type: "fuse.step.attempt"; step: string }
  | { type: "fuse.step.waiting"; step: string; waiting: StepWait | undefined }
  | { type: "fuse.step.done"; step: string; outcome: StepOutcome }
  | { type: "fuse.step.child"; step: string; childRunId: string }
  | { type: "fuse.run.cancel" };
