import { randomBytes } from "node:crypto";
import { FuseError, NotFoundError, toFuseError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import type { WaitStore } from "../store/wait-store.ts";
import type { Clock } from "./clock.ts";
import type { StepEnv } from "./step-env.ts";
import { toRunError, type StepOutcome } from "./step-outcome.ts";
import { WaitBoard } from "./wait-board.ts";

/** 32 random bytes, base64url: a token nobody can guess. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export interface WaitDeliveryOptions {
  store: WaitStore;
  clock: Clock;
  /** Whether a run is still unfinished (a signal for a finished run's step is refused). */
  isUnfinished(runId: string): Promise<boolean>;
}

/**
 * Delivers what waiting steps wait for: events (to every live step awaiting the topic whose
 * `match` accepts it) and signals (to the step holding the token). Each delivery is decided in
 * the store first, atomically, so a token works once and an event, a signal and a timeout
 * cannot both complete a step; only then is the live step told.
 */
export class WaitDelivery {
  readonly board = new WaitBoard();

  constructor(private readonly options: WaitDeliveryOptions) {}

  /** The waits part of a run's environment. */
  env(): StepEnv["waits"] {
    const { store, clock } = this.options;
    return {
      save: (runId, stepId, wait) => store.save(runId, stepId, wait, clock.now()),
      decide: async (runId, stepId, kind, outcome) => (await store.decide(runId, stepId, kind, outcome, clock.now())).outcome,
      decided: async (runId, stepId) => (await store.get(runId, stepId))?.outcome,
      board: this.board,
      newToken,
    };
  }

  /** Hands an event to the steps awaiting it; returns how many it completed. */
  async event(topic: string, payload: unknown): Promise<number> {
    let completed = 0;
    for (const waiter of this.board.waitingFor(topic)) {
      let outcome: StepOutcome | undefined;
      try {
        if (await waiter.matches!(payload)) outcome = { status: "succeeded", output: payload };
      } catch (error) {
        // A match that throws fails its step (EXPRESSION_FAILED), not the delivery to the others.
        outcome = { status: "failed", error: toRunError(toFuseError(error)) };
      }
      if (!outcome) continue;
      waiter.settle((await this.options.store.decide(waiter.runId, waiter.stepId, "event", outcome, this.options.clock.now())).outcome);
      completed++;
    }
    return completed;
  }

  /**
   * Completes the step holding `token` with `output`.
   * @throws NOT_FOUND for a token no step was given; CONFLICT for one already used (or whose
   *   step timed out, failed or was abandoned).
   */
  async signal(token: string, output: unknown): Promise<{ runId: string; step: string }> {
    const stored = await this.options.store.byToken(token);
    if (!stored) throw new NotFoundError(ErrorCode.NOT_FOUND, "no step waits for this token");
    const where = { runId: stored.runId, step: stored.stepId };
    const used = () => new FuseError(ErrorCode.CONFLICT, `the token of step "${stored.stepId}" was used already (or its wait ended)`, { details: where });
    if (stored.outcome) throw used();
    if (!(await this.options.isUnfinished(stored.runId))) throw new FuseError(ErrorCode.CONFLICT, `run ${stored.runId} has ended; step "${stored.stepId}" no longer waits`, { details: where });
    const { outcome, won } = await this.options.store.decide(stored.runId, stored.stepId, "signal", { status: "succeeded", output: output ?? null }, this.options.clock.now());
    if (!won) throw used();
    // A run resuming right now finds the stored outcome when its step starts listening.
    this.board.signalled(token)?.settle(outcome);
    return where;
  }
}
