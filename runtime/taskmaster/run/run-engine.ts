import { randomUUID } from "node:crypto";
import { NotFoundError, UnavailableError, validationErrorFromIssues } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import type { Clock } from "./clock.ts";
import { safeParseTask } from "../schema/parse-task.ts";
import { insertStatement, runStatement, type RunFilter, type RunStore, type StoredRun } from "../store/run-store.ts";
import { isFinalRun, type RunDetail, type RunRecord, type StepRecord } from "./run-types.ts";
import { RunWriter } from "../store/run-writer.ts";
import type { StepCall } from "./step-executor.ts";
import type { TaskDefinition } from "../schema/task-definition.ts";
import { createTaskMachine, type TaskMachine } from "./task-machine.ts";
import { TaskRun } from "./task-run.ts";
import { WaitStore, type StoredWait } from "../store/wait-store.ts";
import { WaitDelivery } from "./wait-delivery.ts";
import type { WaitBoard } from "./wait-board.ts";

/** `StepCall` plus the trace id of the run, so a run's calls can be followed in the logs. */
export type TracedCall = (...args: [...Parameters<StepCall>, traceId: string]) => Promise<unknown>;

export interface RunEngineOptions {
  store: RunStore;
  call: TracedCall;
  clock: Clock;
  log: Logger;
  /** The instance id written as each new run's owner, when several taskmasters share the runs (RunLease). */
  owner?: () => string;
}

export interface StartRunOptions {
  traceId: string;
  /** A second start with the same key returns the first run instead of starting another. */
  idempotencyKey?: string;
}

/** Starts, resumes, cancels and reports the runs of this taskmaster. */
export class RunEngine {
  private readonly active = new Map<string, TaskRun>();
  private readonly machines = new WeakMap<TaskDefinition, TaskMachine>();
  private readonly writer: RunWriter;
  private readonly waitStore: WaitStore;
  private readonly delivery: WaitDelivery;
  private resumed!: () => void;
  /** Resolves once the runs to resume are back, so an event handed over at start finds their waiting steps. */
  readonly ready = new Promise<void>((resolve) => (this.resumed = resolve));

  constructor(private readonly options: RunEngineOptions) {
    this.writer = new RunWriter(options.store, options.log);
    this.waitStore = new WaitStore(options.store.executor);
    this.delivery = new WaitDelivery({
      store: this.waitStore,
      clock: options.clock,
      isUnfinished: async (runId) => this.active.has(runId) || !isFinalRun((await this.options.store.get(runId))?.status ?? "failed"),
    });
  }

  /** Completes the step waiting for `token`. @throws NOT_FOUND, CONFLICT (see WaitDelivery.signal) */
  signal(token: string, output: unknown): Promise<{ runId: string; step: string }> {
    return this.delivery.signal(token, output);
  }

  /** Hands a bus event to the steps awaiting its topic, once the runs to resume are back; returns how many it completed. */
  async event(topic: string, payload: unknown): Promise<number> {
    await this.ready;
    return this.delivery.event(topic, payload);
  }

  /**
   * Records a new run and starts it.
   * @throws VALIDATION_FAILED when the input does not match the task's input schema.
   */
  async start(task: TaskDefinition, input: unknown, options: StartRunOptions): Promise<RunRecord> {
    if (options.idempotencyKey) {
      const existing = await this.options.store.byIdempotencyKey(options.idempotencyKey);
      if (existing) return stripStored(existing);
    }
    const value = input ?? {};
    if (task.inputSchema) {
      const parsed = task.inputSchema.safeParse(value);
      if (!parsed.success) throw validationErrorFromIssues(`task "${task.name}" input`, parsed.error.issues);
    }
    const run: StoredRun = {
      id: randomUUID(),
      task: task.name,
      status: "pending",
      input: value,
      traceId: options.traceId,
      createdAt: this.options.clock.now(),
      definition: task.schema,
      file: task.file,
    };
    // Written before the reply: a run the caller was told about must survive a crash.
    // The first steps start while the run is being recorded; the caller hears back only once
    // it is, since a run it was told about must survive a crash.
    const inserted = this.writer.put(`insert:${run.id}`, insertStatement(run, options.idempotencyKey, this.options.owner?.()), { immediate: true });
    const record = stripStored(run);
    const taskRun = this.launch(task, record);
    try {
      await inserted;
    } catch (error) {
      taskRun.stop();
      this.active.delete(run.id);
      const existing = options.idempotencyKey ? await this.options.store.byIdempotencyKey(options.idempotencyKey) : undefined;
      if (existing) return stripStored(existing);
      throw new UnavailableError(`run of task "${task.name}" could not be recorded`, { cause: error });
    }
    return record;
  }

  /** Resumes the given runs (by default every run the store holds as pending or running); returns how many. */
  async resume(given?: StoredRun[]): Promise<number> {
    const runs = given ?? (await this.options.store.unfinished());
    for (const stored of runs) {
      if (this.active.has(stored.id)) continue;
      const parsed = safeParseTask(stored.definition, { file: stored.file });
      if (!parsed.ok) {
        this.options.log.error({ err: parsed.error, code: parsed.error.code, runId: stored.id }, "run not resumable");
        const failed: RunRecord = { ...stripStored(stored), status: "failed", error: { code: parsed.error.code, message: parsed.error.message }, endedAt: this.options.clock.now() };
        await this.options.store.write([runStatement(failed)]);
        continue;
      }
      const waits = new Map((await this.waitStore.ofRun(stored.id)).map((w) => [w.stepId, w]));
      const restored: Record<string, StepRecord> = {};
      for (const step of await this.options.store.steps(stored.id)) restored[step.id] = restoredStep(step, waits.get(step.id), this.options.clock.now());
      this.launch(parsed.value, stripStored(stored), restored);
    }
    if (runs.length) this.options.log.info({ runs: runs.length }, "runs resumed");
    this.resumed();
    return runs.length;
  }

  /** @throws NOT_FOUND when no run has this id. */
  async detail(runId: string): Promise<RunDetail> {
    const live = this.active.get(runId);
    if (live) return live.detail();
    const stored = await this.options.store.get(runId);
    if (!stored) throw new NotFoundError(ErrorCode.NOT_FOUND, `no run with id "${runId}"`);
    const steps = new Map((await this.options.store.steps(runId)).map((s) => [s.id, s]));
    const order = (stored.definition as { steps?: { id: string }[] }).steps ?? [];
    return { ...stripStored(stored), steps: order.map((s) => steps.get(s.id) ?? { id: s.id, status: "pending", attempts: 0 }) };
  }

  async list(filter: RunFilter): Promise<RunRecord[]> {
    return (await this.options.store.list(filter)).map((run) => this.active.get(run.id)?.detail() ?? run).map(stripStored);
  }

  /** Waits until the run has ended and its end is stored (or `timeoutMs` passes), and returns it as it is then. */
  async wait(runId: string, timeoutMs: number): Promise<RunDetail> {
    const live = this.active.get(runId);
    if (live) {
      // Real time, not the injected clock: this bounds a reply to a real caller.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(timeoutMs, 2 ** 31 - 1))));
      // `done`, not `ended`: a caller told the run is over may read it from the database at once.
      await Promise.race([live.done, timeout]);
      clearTimeout(timer);
    }
    return this.detail(runId);
  }

  /**
   * Cancels a run: steps in flight are abandoned and marked cancelled. Cancelling a finished
   * run changes nothing.
   * @throws NOT_FOUND when no run has this id.
   */
  async cancel(runId: string): Promise<RunDetail> {
    const live = this.active.get(runId);
    if (live) {
      live.cancel();
      return live.ended;
    }
    const stored = await this.options.store.get(runId);
    if (!stored) throw new NotFoundError(ErrorCode.NOT_FOUND, `no run with id "${runId}"`);
    if (!isFinalRun(stored.status)) {
      const cancelled: RunRecord = { ...stripStored(stored), status: "cancelled", endedAt: this.options.clock.now(), error: { code: ErrorCode.CANCELLED, message: "the run was cancelled" } };
      await this.options.store.write([runStatement(cancelled)]);
    }
    return this.detail(runId);
  }

  /** The task schema a run was started with. @throws NOT_FOUND */
  async schemaOf(runId: string): Promise<unknown> {
    const stored = await this.options.store.get(runId);
    if (!stored) throw new NotFoundError(ErrorCode.NOT_FOUND, `no run with id "${runId}"`);
    return stored.definition;
  }

  /** The in-memory index of this instance's waiting steps (RunLease delivers other instances' signals and events to it). */
  get waitBoard(): WaitBoard {
    return this.delivery.board;
  }

  has(runId: string): boolean {
    return this.active.has(runId);
  }

  activeCount(): number {
    return this.active.size;
  }

  /** Stops every machine without finishing its run (they resume at the next start), then writes what is pending. */
  async stop(): Promise<void> {
    for (const run of this.active.values()) run.stop();
    this.active.clear();
    await this.writer.flush();
  }

  private launch(task: TaskDefinition, run: RunRecord, restored?: Record<string, StepRecord>): TaskRun {
    let machine = this.machines.get(task);
    if (!machine) this.machines.set(task, (machine = createTaskMachine(task)));
    const { call, clock, log } = this.options;
    const traced: StepCall = (target, input, opts) => call(target, input, opts, run.traceId);
    const env = { call: traced, clock, waits: this.delivery.env() };
    const taskRun = new TaskRun({ task, machine, run, env, writer: this.writer, log, ...(restored ? { restored } : {}) });
    this.active.set(run.id, taskRun);
    // Kept until its end is written, so that status never reads an older record from the store.
    void taskRun.done.then(() => this.active.delete(run.id));
    taskRun.start();
    return taskRun;
  }
}

/**
 * A step record as a resumed run starts from. A step in flight or waiting when the taskmaster
 * died runs again (same idempotency key; its attempts add up), keeping what it waited for: a
 * timer's or retry's due time, an event's timeout, a signal's token. A wait decided while the
 * taskmaster was down (a signal, an event) ends the step with that outcome.
 */
function restoredStep(step: StepRecord, wait: StoredWait | undefined, now: number): StepRecord {
  if (step.status !== "running" && step.status !== "waiting") return step;
  const record: StepRecord = { id: step.id, status: "pending", attempts: step.attempts };
  if (step.startedAt !== undefined) record.startedAt = step.startedAt;
  if (!wait) return record;
  const { outcome } = wait;
  if (outcome?.status === "succeeded") return { ...record, status: "succeeded", output: outcome.output, endedAt: now };
  if (outcome?.status === "failed") return { ...record, status: "failed", error: outcome.error, endedAt: now };
  const waiting: StepRecord["waiting"] = { kind: wait.kind };
  if (wait.dueAt !== undefined) waiting.dueAt = wait.dueAt;
  if (wait.event !== undefined) waiting.event = wait.event;
  if (wait.token !== undefined) waiting.token = wait.token;
  return { ...record, waiting };
}

function stripStored(run: StoredRun | RunRecord): RunRecord {
  const { definition: _d, file: _f, ...record } = run as StoredRun;
  return record;
}
