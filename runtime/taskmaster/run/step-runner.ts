import type { Bindings } from "../schema/expression.ts";
import type { StepDefinition } from "../schema/task-definition.ts";
import type { StepRecord, StepWait } from "./run-types.ts";
import type { RunEnv, RunEvent } from "./step-env.ts";
import { countsCallOnEntry, executeStep } from "./step-executor.ts";

/** What a step needs to run: its definition, the values its expressions read, and its record so far. */
export interface StepStart {
  step: StepDefinition;
  runId: string;
  bindings: Bindings;
  env: RunEnv;
  record: StepRecord;
}

/**
 * Runs a run's steps outside its machine and reports back as events. One runner serves the
 * whole run rather than an actor per step: spawning, starting and stopping a child actor for
 * every step was the largest share of the machine's cost per step. A step stopped before it
 * ends (the run failed or was cancelled, or the taskmaster stops) is aborted and reports
 * nothing more. The first call is counted on entry to `running`, so a step that succeeds at
 * once costs the machine a single event.
 */
export class StepRunner {
  private readonly inFlight = new Map<string, AbortController>();
  /** Where the steps' events go: the run's actor, once it exists. */
  report: (event: RunEvent) => void = () => {};

  start(start: StepStart): void {
    const { step, runId, bindings, env, record } = start;
    const controller = new AbortController();
    this.inFlight.set(step.id, controller);
    // A fan-out may make no call at all, and a wait makes none, so there the entry action counts nothing.
    const countedOnEntry = countsCallOnEntry(step) ? 1 : 0;
    let calls = 0;
    const send = (event: RunEvent) => {
      if (!controller.signal.aborted) this.report(event);
    };
    const stepEnv = {
      runId,
      call: env.call,
      clock: env.clock,
      signal: controller.signal,
      onAttempt: () => {
        if (++calls > countedOnEntry) send({ type: "fuse.step.attempt", step: step.id });
      },
      onWaiting: (waiting: StepWait | undefined) => send({ type: "fuse.step.waiting", step: step.id, waiting }),
      onChild: (childRunId: string) => send({ type: "fuse.step.child", step: step.id, childRunId }),
      record,
      waits: env.waits,
      services: env.services,
    };
    void executeStep(step, bindings, stepEnv).then((outcome) => {
      // Ended: nothing left to abort (aborting costs a DOMException).
      if (this.inFlight.get(step.id) === controller) this.inFlight.delete(step.id);
      send({ type: "fuse.step.done", step: step.id, outcome });
    });
  }

  /** Aborts every step still in flight; their late outcomes are dropped. */
  stopAll(): void {
    for (const controller of this.inFlight.values()) controller.abort();
    this.inFlight.clear();
  }
}
