import { isW3cTraceId } from "../../protocol/index.ts";
import { processTracing, SpanAttr, type FuseSpan, type Tracing } from "../../sdk/internal.ts";
import type { RunStatus, StepRecord } from "./run-types.ts";

/**
 * A run's spans when tracing is on: `task <name>` for the run, in the run's trace (its
 * `traceId`), child of the `taskmaster.run` request that started it when there is one (a child
 * run's: of its parent's sub-task step; a run resumed after a restart begins a span of its own
 * in the same trace), and `step <id>` for each step that runs here, child of the run's span.
 * The parent is handed in, not found through currentContext(): the taskmaster runs without
 * AsyncLocalStorage. Names and ids only, never inputs or outputs.
 */
/** The open step spans of this process's runs, by `<run id>/<step id>`: what a step's calls go under. */
const openSteps = new Map<string, FuseSpan>();

export class RunSpans {
  private readonly steps = new Map<string, FuseSpan>();
  private ended = false;

  private constructor(
    private readonly tracing: Tracing,
    private readonly span: FuseSpan,
    private readonly task: string,
    private readonly runId: string,
  ) {}

  /**
   * The `traceparent` of the step a call is made for, from its idempotency key
   * (`<run id>/<step id>[/<item>]`, call-with-retry.ts); undefined with tracing off.
   */
  static stepParent(idempotencyKey: string): string | undefined {
    if (openSteps.size === 0) return undefined;
    const [runId, stepId] = idempotencyKey.split("/");
    return openSteps.get(`${runId}/${stepId}`)?.traceparent();
  }

  /** The open span of a step of a run here (a child run's parent); undefined with tracing off. */
  static stepSpan(runId: string, stepId: string): FuseSpan | undefined {
    return openSteps.get(`${runId}/${stepId}`);
  }

  /** The run's spans, under `parent` when it is in the run's trace; undefined with tracing off. */
  static start(task: string, runId: string, traceId: string, parent: FuseSpan | undefined): RunSpans | undefined {
    const tracing = processTracing();
    if (!tracing) return undefined;
    const span = tracing.start({
      name: `task ${task}`,
      kind: "internal",
      parent: parent?.traceId === traceId ? parent : undefined,
      traceId: isW3cTraceId(traceId) ? traceId : undefined,
      attributes: { [SpanAttr.actor]: tracing.service, [SpanAttr.instance]: tracing.instance, [SpanAttr.task]: task, [SpanAttr.runId]: runId },
    });
    return new RunSpans(tracing, span, task, runId);
  }

  /** A step's record changed: its span begins when it first runs here and ends with it. */
  step(record: StepRecord): void {
    if (record.reused) return;
    let span = this.steps.get(record.id);
    if (!span && record.status !== "pending" && record.status !== "skipped" && record.endedAt === undefined) {
      span = this.tracing.start({ name: `step ${record.id}`, kind: "internal", parent: this.span, attributes: { [SpanAttr.task]: this.task, [SpanAttr.step]: record.id } });
      this.steps.set(record.id, span);
      openSteps.set(`${this.runId}/${record.id}`, span);
    }
    if (span && record.endedAt !== undefined) {
      span.set(SpanAttr.attempts, record.attempts);
      if (record.status === "skipped") {
        // Its condition said no: an outcome, not a failure, so no error status.
        span.set(SpanAttr.code, SKIPPED);
        span.end();
      } else {
        span.end(record.status === "succeeded" ? OK : (record.error?.code ?? record.status.toUpperCase()), record.error?.message);
      }
      this.steps.delete(record.id);
      openSteps.delete(`${this.runId}/${record.id}`);
    }
  }

  /** The run ended with `status` (`code` and `message`: its error's); steps still open end with it. */
  end(status: RunStatus, code: string | undefined, message?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.closeSteps();
    this.span.set(SpanAttr.runStatus, status);
    this.span.end(status === "succeeded" ? OK : (code ?? status.toUpperCase()), message);
  }

  /** The taskmaster stops with the run unfinished (it resumes later, under a new span). */
  abandon(): void {
    if (this.ended) return;
    this.ended = true;
    this.closeSteps();
    this.span.end();
  }

  private closeSteps(): void {
    for (const [id, span] of this.steps) {
      span.end();
      openSteps.delete(`${this.runId}/${id}`);
    }
    this.steps.clear();
  }
}

const OK = "OK";
const SKIPPED = "SKIPPED";
