import type { StepOutcome } from "./step-outcome.ts";

/** A step waiting in this process for an event or a signal. */
export interface Waiter {
  runId: string;
  stepId: string;
  /** `await` steps: whether an event's payload completes this step (the step's `match`). */
  matches?(payload: unknown): Promise<boolean>;
  /** Told the outcome once it is stored (the store decides which of an event, a signal and a timeout came first). */
  settle(outcome: StepOutcome): void;
}

/**
 * The steps of live runs waiting for an event (by topic) or a signal (by token), so that an
 * arriving event or signal finds them at once. What they wait for is also stored with the
 * run; this is only the in-memory index.
 */
export class WaitBoard {
  private readonly byTopic = new Map<string, Set<Waiter>>();
  private readonly byToken = new Map<string, Waiter>();

  /** Adds a waiter; the returned function removes it. */
  onEvent(topic: string, waiter: Waiter): () => void {
    let set = this.byTopic.get(topic);
    if (!set) this.byTopic.set(topic, (set = new Set()));
    set.add(waiter);
    return () => {
      set.delete(waiter);
      if (!set.size) this.byTopic.delete(topic);
    };
  }

  onSignal(token: string, waiter: Waiter): () => void {
    this.byToken.set(token, waiter);
    return () => {
      if (this.byToken.get(token) === waiter) this.byToken.delete(token);
    };
  }

  waitingFor(topic: string): Waiter[] {
    return [...(this.byTopic.get(topic) ?? [])];
  }

  signalled(token: string): Waiter | undefined {
    return this.byToken.get(token);
  }
}
