import type * as Api from "@opentelemetry/api";
import type * as Base from "@opentelemetry/sdk-trace-base";
import { SPAN_OK, httpSpanCode, type RecentSpan, type TraceStoreQuery, type TraceStoreReply } from "../../protocol/index.ts";
import { SpanAttr } from "../span-attributes.ts";
import type { RecentSpans, SpanKindName } from "../tracing.ts";
import { SpanRing } from "./span-ring.ts";
import { spansOfTrace, traceParts } from "./trace-parts.ts";

/** The code of a span failed with neither a Fuse code nor an HTTP status. */
const FAILED = "FAILED";

/** Most spans of one trace a process sends in one answer: keeps the answer within a bus message. */
const MAX_TRACE_SPANS = 1000;

export interface RecentStoreOptions {
  capacity: number;
  /** The process whose spans these are. */
  actor: string;
  instance: number;
  /** OpenTelemetry's span kinds by number (only types are imported here: the package is loaded by start-tracing.ts). */
  kinds: ReadonlyMap<Api.SpanKind, SpanKindName>;
  /** `SpanStatusCode.ERROR`, for a span failed with no code of its own. */
  errorStatus: Api.SpanStatusCode;
}

/**
 * The in-hub trace store of one process (`telemetry.recent`): an OpenTelemetry span processor
 * beside the exporter that keeps each ended span, reduced to what a waterfall needs, in a
 * bounded ring. The error message of a failed span is handed over by `noteFailure` and kept
 * here only: it is never an attribute, so it is never exported.
 */
export class RecentStore implements Base.SpanProcessor, RecentSpans {
  private readonly ring: SpanRing<RecentSpan>;
  private readonly failures = new WeakMap<object, string>();

  constructor(private readonly options: RecentStoreOptions) {
    this.ring = new SpanRing(options.capacity);
  }

  /** The message `span` failed with (as its caller got it), for the store when it ends. */
  noteFailure(span: object, message: string): void {
    this.failures.set(span, message.length > 500 ? `${message.slice(0, 500)}…` : message);
  }

  onStart(): void {}

  onEnd(span: Base.ReadableSpan): void {
    this.ring.add(this.reduce(span));
  }

  answer(query: TraceStoreQuery): TraceStoreReply {
    const spans = this.ring.values();
    const reply: TraceStoreReply = { actor: this.options.actor, instance: this.options.instance, held: this.ring.size, capacity: this.ring.capacity };
    if (query.op === "recent") reply.parts = traceParts(spans, query.max);
    else reply.spans = spansOfTrace(spans, query.traceId, MAX_TRACE_SPANS);
    return reply;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  private reduce(span: Base.ReadableSpan): RecentSpan {
    const context = span.spanContext();
    const attributes = span.attributes;
    const actor = attributes[SpanAttr.actor];
    const endpoint = attributes[SpanAttr.endpoint];
    const status = attributes[SpanAttr.httpStatus];
    const failed = span.status.code === this.options.errorStatus;
    const code = typeof attributes[SpanAttr.code] === "string" ? (attributes[SpanAttr.code] as string) : typeof status === "number" ? httpSpanCode(status) : failed ? FAILED : SPAN_OK;
    const error = failed ? this.failures.get(span) : undefined;
    const parentId = span.parentSpanContext?.spanId;
    return {
      traceId: context.traceId,
      spanId: context.spanId,
      ...(parentId !== undefined ? { parentId } : {}),
      name: span.name,
      kind: this.options.kinds.get(span.kind) ?? "internal",
      actor: this.options.actor,
      instance: this.options.instance,
      ...(typeof actor === "string" && typeof endpoint === "string" ? { target: `${actor}.${endpoint}` } : {}),
      start: ms(span.startTime),
      end: ms(span.endTime),
      code,
      failed,
      ...(error !== undefined ? { error } : {}),
    };
  }
}

function ms([seconds, nanos]: Api.HrTime): number {
  return seconds * 1000 + nanos / 1e6;
}
