import { createActor } from "xstate";
import type { Logger } from "../../log/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { runStatement, stepStatement } from "../store/run-store.ts";
import type { Payloads } from "../store/payloads.ts";
import type { RunDetail, RunRecord, RunStatus, StepRecord } from "./run-types.ts";
import type { RunWriter } from "../store/run-writer.ts";
import { longTimerClock } from "./clock.ts";
import { compensable, runCompensations } from "./compensation.ts";
import type { RunEnv, TaskActor, TaskMachine, TaskSnapshot } from "./task-machine.ts";
import type { TaskDefinition } from "../schema/task-definition.ts";
import type { RunFigures } from "./run-figures.ts";
import { RunSpans } from "./run-spans.ts";
import type { FuseSpan } from "../../sdk/internal.ts";
import { StepRunner } from "./step-runner.ts";

export interface TaskRunOptions {
  task: TaskDefinition;
  machine: TaskMachine;
  run: RunRecord;
  env: RunEnv;
  writer: RunWriter;
  log: Logger;
  payloads: Payloads;
  /** Step records of a resumed run (or the reused ones of a rerun). */
  restored?: Record<string, StepRecord>;
  /** Whether the restored records are in the store already (a resumed run) or still to write (a rerun). Default true. */
  restoredStored?: boolean;
  /** Compensation records of a resumed `compensating` run. */
  compensations?: Record<string, StepRecord>;
  /** Where the run's end and its steps' durations are counted; none with metrics off. */
  figures?: RunFigures | undefined;
  /** The span the run's span goes under (tracing on); none for a resumed run, which begins a span of its own. */
  parentSpan?: FuseSpan | undefined;
  /**
   * Writes the run's record as its insert when that is still waiting to be written (a run that
   * ended within the writer's interval: one statement instead of an insert and an update);
   * undefined when the row was written already.
   */
  foldIntoInsert?: (run: RunRecord, outputText: string | null) => Promise<void> | undefined;
}

const FINAL_VALUES: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled"]);
/** Waits between attempts to write a run's end while the store refuses it, in ms. */
const END_WRITE_BACKOFF_MS = [250, 500, 1000, 2000, 5000];

/**
 * One run of a task: the machine's actor, and the records it writes as its snapshots change
 * (only the steps whose record changed). A failed run with succeeded steps that declare
 * `compensate` goes on `compensating` until they are undone. `ended` resolves with the final
 * detail as soon as the run is over; `done` once that is written too.
 */
export class TaskRun {
  readonly ended: Promise<RunDetail>;
  readonly done: Promise<void>;
  private readonly actor: TaskActor;
  private readonly runner = new StepRunner();
  private readonly run: RunRecord;
  private last: Record<string, StepRecord>;
  private readonly compensations: Record<string, StepRecord>;
  private stopped = false;
  /** Large step outputs being written to files: the run's end is written after them. */
  private readonly storing = new Set<Promise<void>>();
  /** The step records once the machine is over and compensations run. */
  private frozenSteps: Record<string, StepRecord> | undefined;
  private readonly halt = new AbortController();
  private resolveEnded!: (detail: RunDetail) => void;
  private resolveDone!: () => void;
  /** Its spans when tracing is on. */
  private spans: RunSpans | undefined;

  constructor(private readonly options: TaskRunOptions) {
    this.run = { ...options.run };
    this.run.startedAt ??= options.env.clock.now();
    this.last = options.restoredStored === false ? {} : { ...options.restored };
    this.compensations = { ...options.compensations };
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    const { timeoutMs } = options.task;
    this.actor = createActor(options.machine, {
      input: {
        runId: this.run.id,
        input: this.run.input,
        env: options.env,
        runner: this.runner,
        steps: options.restored ?? {},
        ...(timeoutMs !== undefined ? { deadlineAt: this.run.startedAt + timeoutMs } : {}),
      },
      // A run's deadline may be weeks away, past what one Node timer can wait.
      clock: longTimerClock(options.env.clock),
    });
    this.runner.report = (event) => this.actor.send(event);
  }

  get id(): string {
    return this.run.id;
  }

  start(): void {
    this.spans = RunSpans.start(this.run.task, this.run.id, this.run.traceId, this.options.parentSpan);
    // A run that was compensating when the taskmaster stopped goes on compensating: its steps are over.
    if (this.run.status === "compensating") {
      void this.compensate(this.run.error ?? { code: ErrorCode.INTERNAL, message: "the run failed" }, this.options.restored ?? {});
      return;
    }
    // A new run's row is inserted `running` (RunEngine.start), as is a resumed one's that ran.
    if (this.run.status !== "running") {
      this.run.status = "running";
      this.options.writer.queue(`run:${this.run.id}`, runStatement(this.run));
    }
    this.actor.subscribe({
      next: (snapshot) => this.onSnapshot(snapshot),
      error: (err) => this.onCrash(err),
    });
    this.actor.start();
  }

  cancel(): void {
    this.actor.send({ type: "fuse.run.cancel" });
  }

  /** Stops the machine without recording anything: the run stays as stored and resumes later. */
  stop(): void {
    this.spans?.abandon();
    this.stopped = true;
    this.halt.abort();
    this.runner.stopAll();
    this.actor.stop();
  }

  /**
   * The run as it is now, every step included; with `brief`, values over the payload limit
   * (kept in files) are left out: a step's output is named by `outputRef`, the run's input and
   * output by their stored reference, so the detail fits in a bus message.
   */
  detail(options: { brief?: boolean } = {}): RunDetail {
    const current = this.frozenSteps ?? this.actor.getSnapshot().context.steps;
    const { payloads } = this.options;
    const steps = this.options.task.steps.map((s) => {
      const record = current[s.id] ?? { id: s.id, status: "pending" as const, attempts: 0 };
      if (!options.brief || record.output === undefined || payloads.inline(record.output) !== undefined) return record;
      const { output, ...rest } = record;
      return { ...rest, outputRef: payloads.refFor(`runs/${this.run.id}/steps/${s.id}`, output) };
    });
    const run = { ...this.run };
    if (options.brief) {
      if (payloads.inline(run.input) === undefined) run.input = payloads.stored(`runs/${this.run.id}/input`, run.input);
      if (payloads.inline(run.output) === undefined) run.output = payloads.stored(`runs/${this.run.id}/output`, run.output);
    }
    const detail: RunDetail = { ...run, steps };
    const compensations = Object.values(this.compensations);
    if (compensations.length) detail.compensations = compensations;
    return detail;
  }

  private onSnapshot(snapshot: TaskSnapshot): void {
    if (this.stopped) return;
    const steps = snapshot.context.steps;
    for (const id in steps) {
      const record = steps[id]!;
      const before = this.last[id];
      if (before === record) continue;
      this.last[id] = record;
      this.spans?.step(record);
      // A step's first `running` record may wait for the writer's interval: most steps end
      // before it, and their one row is written then. Lost in a crash, the step runs again with
      // the same key, as one in flight does, only without that first attempt counted; a second
      // attempt's record is written at once, so a retry budget holds across a crash.
      if (record.status !== "pending") this.writeStep(record, record.status === "running" && record.attempts <= 1 && (before === undefined || before.status === "pending"));
      if (record.endedAt !== undefined && before?.endedAt === undefined) this.stepEnded(record);
    }
    if (snapshot.status !== "done" || typeof snapshot.value !== "string" || !FINAL_VALUES.has(snapshot.value)) return;
    const status = snapshot.value as RunStatus;
    if (status === "failed" && compensable(this.options.task, steps).length) {
      this.stopped = true;
      void this.compensate(snapshot.context.error!, steps);
      return;
    }
    void this.finish(status, snapshot.context.output, snapshot.context.error);
  }

  /** Counts a step that ended having run here (not one a rerun reused, nor a skipped one that never started). */
  private stepEnded(record: StepRecord): void {
    if (!this.options.figures || record.reused || record.startedAt === undefined) return;
    this.options.figures.taskStepEnded(this.options.task.name, record.id, (record.endedAt! - record.startedAt) / 1000);
  }

  /** Writes a step's record (see RunWriter.put for `deferred`); an output over the payload limit goes to a file first, the row refers to it. */
  private writeStep(record: StepRecord, deferred = false): void {
    const key = `step:${this.run.id}:${record.id}`;
    const { payloads, writer } = this.options;
    const inline = payloads.inline(record.output);
    if (inline !== undefined) return writer.queue(key, stepStatement(this.run.id, record, inline), { deferred });
    const stored = payloads.text(`runs/${this.run.id}/steps/${record.id}`, record.output).then(
      ({ text }) => writer.queue(key, stepStatement(this.run.id, record, text)),
      (err: unknown) => this.options.log.error({ err, runId: this.run.id, step: record.id }, "large step output not stored; the step runs again after a restart"),
    );
    this.storing.add(stored);
    void stored.finally(() => this.storing.delete(stored));
  }

  /** Undoes the succeeded steps of a failed run, then ends it `compensated` or `compensation_failed`. */
  private async compensate(error: NonNullable<RunRecord["error"]>, steps: Record<string, StepRecord>): Promise<void> {
    this.stopped = true;
    this.frozenSteps = steps;
    this.runner.stopAll();
    this.actor.stop();
    Object.assign(this.run, { status: "compensating", error });
    if (!(await this.writeRun())) return;
    const { env, writer } = this.options;
    const failures = await runCompensations(this.options.task, steps, this.compensations, {
      ...env,
      runId: this.run.id,
      input: this.run.input,
      signal: this.halt.signal,
      onRecord: (record) => {
        this.compensations[record.id] = record;
        writer.queue(`compensate:${this.run.id}:${record.id}`, stepStatement(this.run.id, { ...record, id: `compensate:${record.id}` }));
      },
    });
    if (this.halt.signal.aborted) return;
    const reasons = failures.map((f) => ({ step: f.step, code: f.error.code, message: f.error.message }));
    const ended: RunRecord["error"] = failures.length
      ? { ...error, message: `${error.message}; compensation failed for ${reasons.map((r) => `"${r.step}" (${r.code}: ${r.message})`).join(", ")}`, details: { ...(error.details as object), compensationFailures: reasons } }
      : error;
    this.stopped = false;
    await this.finish(failures.length ? "compensation_failed" : "compensated", undefined, ended);
  }

  private onCrash(err: unknown): void {
    this.options.log.error({ err, code: ErrorCode.INTERNAL, runId: this.run.id }, "run machine failed");
    void this.finish("failed", undefined, { code: ErrorCode.INTERNAL, message: `the run's machine failed: ${(err as Error).message}` });
  }

  private async finish(status: RunStatus, output: unknown, error: RunRecord["error"]): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    Object.assign(this.run, { status, endedAt: this.options.env.clock.now() });
    if (output !== undefined) this.run.output = output;
    if (error !== undefined) this.run.error = error;
    this.options.figures?.taskRunEnded(this.run.task, status, (this.run.endedAt! - this.run.startedAt!) / 1000);
    this.spans?.end(status, this.run.error?.code, this.run.error?.message);
    // Callers learn the outcome before it is written: were the write lost in a crash, the run
    // would resume and its last steps run again with the same idempotency keys.
    this.resolveEnded(this.detail());
    await this.writeRun();
    this.resolveDone();
  }

  /**
   * Writes the run's record until the store takes it (the run stays in memory meanwhile, so
   * its status is read from there, never as the `running` row); false when the taskmaster
   * stopped first (the run resumes from the row at the next start).
   */
  private async writeRun(): Promise<boolean> {
    await Promise.all(this.storing);
    for (let attempt = 0; !this.halt.signal.aborted; attempt++) {
      try {
        const { text } = await this.options.payloads.text(`runs/${this.run.id}/output`, this.run.output);
        await (this.options.foldIntoInsert?.(this.run, text) ?? this.options.writer.put(`run:${this.run.id}`, runStatement(this.run, text), { immediate: true }));
        return true;
      } catch (err) {
        const waitMs = END_WRITE_BACKOFF_MS[Math.min(attempt, END_WRITE_BACKOFF_MS.length - 1)]!;
        this.options.log.warn({ err, runId: this.run.id, status: this.run.status, retryInMs: waitMs }, "run record not written; trying again");
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
    return false;
  }
}
