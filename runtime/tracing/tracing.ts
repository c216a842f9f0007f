import type { TraceParent, TraceStoreQuery, TraceStoreReply } from "../protocol/index.ts";

/** What a span is about, in OpenTelemetry's kinds. */
export type SpanKindName = "server" | "client" | "producer" | "consumer" | "internal";

export type SpanAttributes = Record<string, string | number | boolean>;

export interface SpanStart {
  name: string;
  kind: SpanKindName;
  attributes: SpanAttributes;
  /** The parent: a span of this process, or one named by a `traceparent` from elsewhere. */
  parent?: FuseSpan | TraceParent | undefined;
  /** With no parent: the trace to begin, when the request's `Fuse-Trace-Id` is a W3C trace id. */
  traceId?: string | undefined;
}

/**
 * One span. `end` takes the outcome code (OK or the error code): it becomes `fuse.code`, and
 * any other than OK marks the span as an error. Never given input payloads.
 */
export interface FuseSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** The `traceparent` header that makes the receiver's span a child of this one. */
  traceparent(): string;
  set(key: string, value: string | number | boolean): void;
  /** An HTTP span's route pattern when a handler matched it itself (an endpoint's own route). */
  route?: string | undefined;
  /** Names the span anew (an HTTP span learns its route once the route ran). */
  rename(name: string): void;
  /** Marks the span as failed without a Fuse code (an HTTP 5xx). */
  fail(reason: string): void;
  /**
   * Fixes the span's end at this moment, for `end` called later: a server span ends when its
   * reply is handed to the bus, so it lies within the caller's span, which ends on receiving it.
   */
  markEnd(): void;
  /**
   * Ends the span (at the moment `markEnd` fixed, if it was called). `message`: what a failure
   * said to the caller, kept by the in-hub store only (never an attribute, so never exported:
   * it may quote what the caller sent).
   */
  end(code?: string, message?: string): void;
}

/** The in-hub store of a process's latest spans (`telemetry.recent`), asked over `$SRV.TRACES`. */
export interface RecentSpans {
  answer(query: TraceStoreQuery): TraceStoreReply;
}

/**
 * The spans of one process, exported over OTLP/HTTP and/or kept in the in-hub store. Exists
 * only when tracing is on: code on the request path checks for it and does nothing else when
 * it is off.
 */
export interface Tracing {
  /** The actor whose spans these are, and its instance. */
  readonly service: string;
  readonly instance: number;
  start(span: SpanStart): FuseSpan;
  /** Runs `fn` with `span` as the active span of everything it awaits (the gateway's HTTP requests). */
  withActive<T>(span: FuseSpan, fn: () => T): T;
  /** The active span set by `withActive`, if any. */
  active(): FuseSpan | undefined;
  /** The process's store of latest spans, with `telemetry.recent`. */
  readonly recent?: RecentSpans | undefined;
  /** Exports what is left and stops; resolves even when the collector cannot be reached. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** OTLP/HTTP traces URL (`…/v1/traces`); none: nothing is exported. */
  url?: string | undefined;
  /** How many ended spans the in-hub store keeps; none: no store. One of `url` and `recent` is needed. */
  recent?: number | undefined;
  /** `service.name` of the spans: the actor. */
  service: string;
  instance: number;
  /** Share of the traces begun here that are recorded (parents' decisions are followed). Default 1. */
  sampleRatio?: number;
  /** Longest wait before a batch of ended spans is sent, in ms. Default 1 000. */
  flushMs?: number;
}
