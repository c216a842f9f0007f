import { createActor } from "xstate";
import type { Logger } from "../../log/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { runStatement, stepStatement } from "../store/run-store.ts";
import type { RunDetail, RunRecord, RunStatus, StepRecord } from "./run-types.ts";
import type { RunWriter } from "../store/run-writer.ts";
import { longTimerClock } from "./clock.ts";
import type { RunEnv, TaskActor, TaskMachine, TaskSnapshot } from "./task-machine.ts";
import type { TaskDefinition } from "../schema/task-definition.ts";

export interface TaskRunOptions {
  task: TaskDefinition;
  machine: TaskMachine;
  run: RunRecord;
  env: RunEnv;
  writer: RunWriter;
  log: Logger;
  /** Step records of a resumed run. */
  restored?: Record<string, StepRecord>;
}

const FINAL_VALUES: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled"]);

/**
 * One run of a task: the machine's actor, and the records it writes as its snapshots change
 * (only the steps whose record changed). `ended` resolves with the final detail as soon as
 * the machine is done; `done` once that is written too.
 */
export class TaskRun {
  readonly ended: Promise<RunDetail>;
  readonly done: Promise<void>;
  private readonly actor: TaskActor;
  private readonly run: RunRecord;
  private last: Record<string, StepRecord>;
  private stopped = false;
  private resolveEnded!: (detail: RunDetail) => void;
  private resolveDone!: () => void;

  constructor(private readonly options: TaskRunOptions) {
    this.run = { ...options.run };
    this.run.startedAt ??= options.env.clock.now();
    this.last = { ...options.restored };
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    const { timeoutMs } = options.task;
    this.actor = createActor(options.machine, {
      input: {
        runId: this.run.id,
        input: this.run.input,
        env: options.env,
        steps: options.restored ?? {},
        ...(timeoutMs !== undefined ? { deadlineAt: this.run.startedAt + timeoutMs } : {}),
      },
      // A run's deadline may be weeks away, past what one Node timer can wait.
      clock: longTimerClock(options.env.clock),
    });
  }

  get id(): string {
    return this.run.id;
  }

  start(): void {
    this.run.status = "running";
    this.options.writer.put(`run:${this.run.id}`, runStatement(this.run));
    this.actor.subscribe({
      next: (snapshot) => this.onSnapshot(snapshot),
      error: (err) => this.onCrash(err),
    });
    this.actor.start();
  }

  cancel(): void {
    this.actor.send({ type: "fuse.run.cancel" });
  }

  /** Stops the machine without recording anything: the run stays `running` and resumes later. */
  stop(): void {
    this.stopped = true;
    this.actor.stop();
  }

  /** The run as it is now, every step included. */
  detail(): RunDetail {
    const snapshot = this.actor.getSnapshot();
    const steps = this.options.task.steps.map((s) => snapshot.context.steps[s.id]!);
    return { ...this.run, steps };
  }

  private onSnapshot(snapshot: TaskSnapshot): void {
    if (this.stopped) return;
    const { writer } = this.options;
    const steps = snapshot.context.steps;
    for (const id in steps) {
      const record = steps[id]!;
      if (this.last[id] === record) continue;
      this.last[id] = record;
      if (record.status !== "pending") writer.put(`step:${this.run.id}:${id}`, stepStatement(this.run.id, record));
    }
    if (snapshot.status !== "done" || typeof snapshot.value !== "string" || !FINAL_VALUES.has(snapshot.value)) return;
    this.finish(snapshot.value as RunStatus, snapshot.context.output, snapshot.context.error);
  }

  private onCrash(err: unknown): void {
    this.options.log.error({ err, code: ErrorCode.INTERNAL, runId: this.run.id }, "run machine failed");
    this.finish("failed", undefined, { code: ErrorCode.INTERNAL, message: `the run's machine failed: ${(err as Error).message}` });
  }

  private finish(status: RunStatus, output: unknown, error: RunRecord["error"]): void {
    if (this.stopped) return;
    this.stopped = true;
    Object.assign(this.run, { status, endedAt: this.options.env.clock.now() });
    if (output !== undefined) this.run.output = output;
    if (error !== undefined) this.run.error = error;
    // Callers learn the outcome before it is written: were the write lost in a crash, the run
    // would resume and its last steps run again with the same idempotency keys.
    this.resolveEnded(this.detail());
    void this.options.writer.put(`run:${this.run.id}`, runStatement(this.run), { immediate: true }).then(this.resolveDone, this.resolveDone);
  }
}
