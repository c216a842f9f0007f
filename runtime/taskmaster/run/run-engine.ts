import { randomUUID } from "node:crypto";
import { NotFoundError, UnavailableError, validationErrorFromIssues } from "../../errors/index.ts";
import { planRerun } from "./rerun-plan.ts";
import { copyItemsStatement } from "../store/item-store.ts";
import type { Payloads } from "../store/payloads.ts";
import { linkStatement, readLinks } from "../store/run-links.ts";
import { readStoredSteps } from "../store/stored-steps.ts";
import type { Logger } from "../../log/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import type { Clock } from "./clock.ts";
import { safeParseTask } from "../schema/parse-task.ts";
import { recordOf, runStatement, type RunFilter, type RunStore, type StoredRun } from "../store/run-store.ts";
import { isFinalRun, type RunDetail, type RunRecord, type StepRecord } from "./run-types.ts";
import { RunWriter } from "../store/run-writer.ts";
import type { StepCall } from "./step-executor.ts";
import type { TaskDefinition } from "../schema/task-definition.ts";
import { createTaskMachine, type TaskMachine } from "./task-machine.ts";
import { TaskRun, type TaskRunOptions } from "./task-run.ts";
import { RunSpans } from "./run-spans.ts";
import type { FuseSpan } from "../../sdk/internal.ts";
import { WaitStore } from "../store/wait-store.ts";
import { WaitDelivery } from "./wait-delivery.ts";
import type { WaitBoard } from "./wait-board.ts";
import { recordNewRun } from "./new-run.ts";
import { restoreRun } from "./restored-run.ts";
import { createRunServices, type RunServicesOptions } from "./run-services.ts";
import { readStoredRunDetail } from "./stored-run-detail.ts";
import { RunEndWatch } from "./run-end-watch.ts";
import type { RunFigures } from "./run-figures.ts";

/** `StepCall` plus the trace id of the run, so a run's calls can be followed in the logs. */
export type TracedCall = (...args: [...Parameters<StepCall>, traceId: string]) => Promise<unknown>;

export interface RunEngineOptions {
  store: RunStore;
  call: TracedCall;
  clock: Clock;
  log: Logger;
  /** The instance id written as each new run's owner, when several taskmasters share the runs (RunLease). */
  owner?: () => string;
  /** The task a sub-task step names (or set later with `use`). @throws NOT_FOUND */
  task?: (name: string) => TaskDefinition;
  /** Where runs' ends and steps' durations are counted (the process's metrics); none by default. */
  figures?: RunFigures | undefined;
}

export interface StartRunOptions {
  traceId: string;
  /** A second start with the same key returns the first run instead of starting another. */
  idempotencyKey?: string;
  /** A rerun: the run it reruns, the step records it reuses, and the fan-outs whose items it keeps. */
  rerun?: { of: string; reused: Record<string, StepRecord>; keepItemsOf: string[] };
  /** A child run: its parent's run and sub-task step. */
  parent?: { runId: string; stepId: string };
  /**
   * The caller hears of the run only once it has ended (`taskmaster.run` with `wait`): its
   * record then joins the next coalesced write (within 20 ms, or with the run's end, whichever
   * comes first) instead of a write of its own. Either way it is stored before `start` returns
   * and before the run's end, which the caller waits for.
   */
  untilEnd?: boolean;
  /** The span the run's span goes under (tracing on): the request's that started it, or a child run's sub-task step's. */
  parentSpan?: FuseSpan | undefined;
}

/** Starts, resumes, cancels and reports the runs of this taskmaster. */
export class RunEngine {
  private readonly active = new Map<string, TaskRun>();
  /** Active runs that may have links (reruns, child runs, runs with sub-task steps, resumed runs): the others have none to read. */
  private readonly linked = new Set<string>();
  private readonly machines = new WeakMap<TaskDefinition, TaskMachine>();
  private readonly writer: RunWriter;
  private readonly waitStore: WaitStore;
  private readonly delivery: WaitDelivery;
  private readonly serviceHost: RunServicesOptions;
  private readonly ends: RunEndWatch;
  private resumed!: () => void;
  private readonly payloads: Payloads;
  private taskNamed: ((name: string) => TaskDefinition) | undefined;
  private opened!: () => void;
  /**
   * Resumed runs start once the taskmaster serves its endpoints (`open`): a resumed step that
   * calls `taskmaster.*` (a run of another task, a signal) must find them served.
   */
  private readonly serving = new Promise<void>((resolve) => (this.opened = resolve));
  /** Set once the taskmaster stops: no run starts or resumes here any more. */
  private stopping = false;
  /** Set while runs are being stopped (a stop, a lease lost): steps given up then must not cancel their child runs, which resume later. */
  private stoppingRuns = false;
  /** Resolves once the runs to resume are back, so an event handed over at start finds their waiting steps. */
  readonly ready = new Promise<void>((resolve) => (this.resumed = resolve));

  constructor(private readonly options: RunEngineOptions) {
    this.writer = new RunWriter(options.store, options.log);
    this.payloads = options.store.payloads;
    this.taskNamed = options.task;
    this.waitStore = new WaitStore(options.store.executor);
    this.delivery = new WaitDelivery({
      store: this.waitStore,
      clock: options.clock,
      isUnfinished: async (runId) => this.active.has(runId) || !isFinalRun((await this.options.store.get(runId))?.status ?? "failed"),
    });
    this.ends = new RunEndWatch({
      store: options.store,
      live: (runId) => this.active.get(runId),
      linked: (runId) => this.linked.has(runId),
      detail: (runId, opts) => this.detail(runId, opts),
    });
    this.serviceHost = {
      ready: this.ready,
      taskNamed: () => this.taskNamed,
      startChild: (task, input, key, parent, traceId) => this.start(task, input, { traceId, idempotencyKey: key, parent, parentSpan: RunSpans.stepSpan(parent.runId, parent.stepId) }),
      ended: (runId) => this.ends.ended(runId),
      cancel: (runId) => this.cancel(runId),
      stopping: () => this.stopping || this.stoppingRuns,
      store: options.store,
      writer: this.writer,
      log: options.log,
    };
  }

  /** Sets how sub-task steps find their task. */
  use(options: { task: (name: string) => TaskDefinition }): void {
    this.taskNamed = options.task;
  }

  /** The taskmaster serves its endpoints: resumed runs start. */
  open(): void {
    this.opened();
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
    if (this.stopping) throw new UnavailableError("the taskmaster is stopping: no run starts now; call again once it is back");
    if (options.idempotencyKey) {
      const existing = await this.options.store.byIdempotencyKey(options.idempotencyKey);
      if (existing) return recordOf(existing);
    }
    const value = input ?? {};
    if (task.inputSchema) {
      const parsed = task.inputSchema.safeParse(value);
      if (!parsed.success) throw validationErrorFromIssues(`task "${task.name}" input`, parsed.error.issues);
    }
    const id = randomUUID();
    // An input over the payload limit goes to a file; the row refers to it.
    const { text: inputText, ref: inputRef } = await this.payloads.text(`runs/${id}/input`, value);
    const now = this.options.clock.now();
    // A new run starts at once (launch below): its row says so from the first write, which
    // spares each run the separate `running` update.
    const run: StoredRun = {
      id,
      task: task.name,
      status: "running",
      input: value,
      traceId: options.traceId,
      createdAt: now,
      startedAt: now,
      definition: task.schema,
      file: task.file,
    };
    const row = inputRef ? { ...run, input: JSON.parse(inputText!) as unknown } : run;
    // A rerun's fan-outs find their kept items from their first read.
    if (options.rerun?.keepItemsOf.length) await this.options.store.write([copyItemsStatement(options.rerun.of, run.id, options.rerun.keepItemsOf)]);
    const { rerun, parent } = options;
    const record = recordOf(run);
    return recordNewRun({
      store: this.options.store,
      writer: this.writer,
      row,
      record,
      ...(options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {}),
      ...(this.options.owner ? { owner: this.options.owner() } : {}),
      ...(options.untilEnd ? { untilEnd: true } : {}),
      ...(rerun ? { link: linkStatement(run.id, "rerun_of", rerun.of) } : parent ? { link: linkStatement(run.id, "child_of", parent.runId, parent.stepId) } : {}),
      launch: (foldIntoInsert) => {
        if (rerun || parent) this.linked.add(run.id);
        const more = { parentSpan: options.parentSpan, foldIntoInsert };
        const taskRun = rerun ? this.launch(task, record, rerun.reused, { restoredStored: false, ...more }) : this.launch(task, record, undefined, more);
        return () => {
          taskRun.stop();
          this.active.delete(run.id);
          this.linked.delete(run.id);
        };
      },
    });
  }

  /** Resumes the given runs (by default every run the store holds as pending or running); returns how many. */
  async resume(given?: StoredRun[]): Promise<number> {
    const runs = given ?? (await this.options.store.unfinished());
    for (const stored of runs) {
      if (this.active.has(stored.id)) continue;
      const restored = await restoreRun(stored, { store: this.options.store, payloads: this.payloads, waitStore: this.waitStore, clock: this.options.clock });
      if (!restored.ok) {
        this.options.log.error({ err: restored.error, code: restored.error.code, runId: stored.id }, "run not resumable");
        await this.options.store.write([runStatement(restored.failed)]);
        this.countEnded(restored.failed);
        continue;
      }
      this.launch(restored.task, restored.run, restored.restored, { compensations: restored.compensations });
    }
    if (runs.length) this.options.log.info({ runs: runs.length }, "runs resumed");
    this.resumed();
    return runs.length;
  }

  /**
   * The run with every step, its compensations and its links (rerun of / reruns, parent /
   * children). Outputs kept in files are read back with `full` (`taskmaster.result`), else
   * named by `outputRef` (`taskmaster.status`, which must fit in a bus message).
   * @throws NOT_FOUND when no run has this id.
   */
  async detail(runId: string, options: { full?: boolean } = {}): Promise<RunDetail> {
    const live = this.active.get(runId);
    if (live) return { ...live.detail({ brief: !options.full }), ...(await readLinks(this.options.store.executor, runId)) };
    const stored = await this.options.store.get(runId);
    if (!stored) throw new NotFoundError(ErrorCode.NOT_FOUND, `no run with id "${runId}"`);
    return readStoredRunDetail(stored, { store: this.options.store, payloads: this.payloads, waitStore: this.waitStore, full: options.full === true });
  }

  /**
   * Starts a new run of a finished run's task (the schema it ran with) and input, reusing the
   * outputs of its succeeded steps but `from` and the steps after it (see planRerun); linked
   * both ways. @throws NOT_FOUND, VALIDATION_FAILED, CONFLICT
   */
  async rerun(runId: string, from: string | undefined, traceId: string, parentSpan?: FuseSpan): Promise<RunRecord> {
    await this.ready;
    const stored = await this.options.store.get(runId);
    if (!stored) throw new NotFoundError(ErrorCode.NOT_FOUND, `no run with id "${runId}"`);
    const parsed = safeParseTask(stored.definition, { file: stored.file });
    if (!parsed.ok) throw parsed.error;
    const { steps, compensations } = await readStoredSteps(this.options.store, this.payloads, runId, true);
    const undone = new Set([...compensations].filter(([, r]) => r.status === "succeeded").map(([id]) => id));
    const plan = planRerun(parsed.value, stored, [...steps.values()], undone, from);
    const input = await this.payloads.resolve(stored.input);
    return this.start(parsed.value, input, { traceId, parentSpan, rerun: { of: runId, ...plan } });
  }

  async list(filter: RunFilter): Promise<RunRecord[]> {
    return (await this.options.store.list(filter)).map((run) => this.active.get(run.id)?.detail() ?? run).map(recordOf);
  }

  /** Waits until the run has ended and its end is stored (or `timeoutMs` passes), and returns it as it is then. */
  wait(runId: string, timeoutMs: number): Promise<RunDetail> {
    return this.ends.wait(runId, timeoutMs);
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
      const cancelled: RunRecord = { ...recordOf(stored), status: "cancelled", endedAt: this.options.clock.now(), error: { code: ErrorCode.CANCELLED, message: "the run was cancelled" } };
      await this.options.store.write([runStatement(cancelled)]);
      this.countEnded(cancelled);
      // Its child runs go with it (a live parent cancels its own when its steps are given up).
      for (const child of (await readLinks(this.options.store.executor, runId)).children ?? []) await this.cancel(child.runId);
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

  /**
   * The taskmaster stops: stops every machine without finishing its run (they resume at the
   * next start), answers every wait for a run's end (NO_LIVE_INSTANCE, retryable), then writes
   * what is pending. No run starts afterwards; a second call writes what starts in flight at
   * the first recorded since.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopRuns();
    this.ends.halt();
    await this.writer.flush();
  }

  /**
   * The lease was lost: stops every machine without finishing its run, for whoever claims the
   * run next (this instance under its new owner id, or another) to resume it; then writes what
   * is pending. The engine goes on taking runs; a wait for a run's end follows it where it goes.
   */
  async pause(): Promise<void> {
    this.stopRuns();
    this.ends.moved();
    await this.writer.flush();
  }

  private stopRuns(): void {
    this.stoppingRuns = true;
    try {
      for (const run of this.active.values()) run.stop();
    } finally {
      this.stoppingRuns = false;
    }
    this.active.clear();
    this.linked.clear();
  }

  /** Counts a run that ended without running here (not resumable, cancelled while nobody ran it). */
  private countEnded(run: RunRecord): void {
    this.options.figures?.taskRunEnded(run.task, run.status, (run.endedAt! - (run.startedAt ?? run.createdAt)) / 1000);
  }

  private launch(task: TaskDefinition, run: RunRecord, restored?: Record<string, StepRecord>, more: Pick<TaskRunOptions, "restoredStored" | "compensations" | "parentSpan" | "foldIntoInsert"> = {}): TaskRun {
    let machine = this.machines.get(task);
    if (!machine) this.machines.set(task, (machine = createTaskMachine(task)));
    const { call, clock, log } = this.options;
    const traced: StepCall = (target, input, opts) => call(target, input, opts, run.traceId);
    const env = { call: traced, clock, waits: this.delivery.env(), services: createRunServices(this.serviceHost, run, restored !== undefined) };
    const taskRun = new TaskRun({ task, machine, run, env, writer: this.writer, log, payloads: this.payloads, figures: this.options.figures, ...(restored ? { restored } : {}), ...more });
    // Recorded while the taskmaster stopped (a start that was in flight): it runs at the next start.
    if (this.stopping) return taskRun;
    this.active.set(run.id, taskRun);
    if (restored || task.steps.some((s) => s.kind === "task")) this.linked.add(run.id);
    // Kept until its end is written, so that status never reads an older record from the store.
    void taskRun.done.then(() => {
      if (this.active.get(run.id) === taskRun) this.active.delete(run.id);
      this.linked.delete(run.id);
    });
    if (restored && more.restoredStored !== false) void this.serving.then(() => this.active.get(run.id) === taskRun && taskRun.start());
    else taskRun.start();
    return taskRun;
  }
}
