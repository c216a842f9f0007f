import { randomUUID } from "node:crypto";
import { callEndpoint, notDelivered, requestEndpoint, type HeaderRecord, type Reply, type Transport } from "../bus/index.ts";
import { DeadlineExceededError, FuseError, ValidationError, toFuseError } from "../errors/index.ts";
import { ErrorCode, Header, KEYED_PARTITIONS, actorKeyProblem, endpointPartitionSubject, endpointSubject, keyedSubjectOf, newTraceId, parseTarget, parseTraceParent, partitionOf, type Target } from "../protocol/index.ts";
import { marksCrossing } from "./stack.ts";
import { Circuits, type GuardOptions } from "./resilience/circuits.ts";
import { OK_CODE } from "../metrics/index.ts";
import type { CallFigures } from "./call-figures.ts";
import type { FuseSpan, Tracing } from "../tracing/index.ts";
import { callSpan, endFailed, publishSpan } from "./spans.ts";

/** Options of `ctx.call`. */
export interface CallOptions extends GuardOptions {
  /** Ms to wait for a reply, bounded by the caller's own deadline. Default 10 000. */
  timeout?: number;
  /**
   * Further attempts, within the deadline, when the request certainly reached no handler
   * (NO_LIVE_INSTANCE: no instance listened, say while the actor restarts). Default 3.
   */
  retries?: number;
  /** First backoff between attempts, doubled each time. Default 50 ms. */
  backoffMs?: number;
  /**
   * Also spend `retries` on errors that came after the request was sent, when another attempt
   * may succeed: a remote error marked `retryable`, or OUTCOME_UNKNOWN (the instance that took
   * it died). The handler may then run more than once: ask only when the endpoint is safe to
   * repeat. Every attempt carries the same `Fuse-Idempotency-Key` (one is made if none is
   * given). Default false: such errors reach the caller after one attempt.
   */
  retryAfterDispatch?: boolean;
  /** Sent as `Fuse-Idempotency-Key`, the same on every attempt. */
  idempotencyKey?: string;
  /**
   * The key of a call to a keyed actor (`Fuse-Key`): goes straight to the owner of the key's
   * partition. While the partition moves between instances the call is tried again (8 times
   * by default, within the deadline): nothing ran yet.
   * @example await ctx.call("cart.add", { sku: "apple" }, { key: "cart-42" });
   */
  key?: string;
  /**
   * Sent as `Fuse-Trace-Id` instead of the current trace's id, for work that outlives the
   * request that started it (a task run's steps, say). Default: the current trace.
   */
  traceId?: string;
  /**
   * With `traceId`, when tracing is on: the W3C `traceparent` of the span this call belongs
   * under (a task run's step). Default: the span of the request being handled.
   */
  traceparent?: string;
}

/** Options of `ctx.relay`. */
export interface RelayOptions {
  /**
   * Sent as `Fuse-Trace-Id`: the trace of the outside request being relayed (an HTTP
   * request, say). Default: the current trace.
   */
  traceId?: string;
  /** Epoch ms after which the outside caller stops waiting; bounded by `timeout` and the current deadline. */
  deadline?: number;
  /** Ms to wait for a reply. Default 10 000. */
  timeout?: number;
  /** Further bus headers to send (such as the gateway's `Fuse-Http-*`); the Fuse headers win. */
  headers?: Record<string, string>;
  /**
   * Further attempts when the request certainly reached no handler (NO_LIVE_INSTANCE: an actor
   * restarting, say); never after it was sent. Default 3.
   */
  retries?: number;
  /** First backoff between attempts, doubled each time. Default 50 ms. */
  backoffMs?: number;
  /** The key of a request to a keyed actor (`Fuse-Key`), sent to its partition's owner. */
  key?: string;
}

/**
 * The raw reply of `ctx.relay`: the body bytes as the endpoint sent them and its headers. An
 * error reply carries `Nats-Service-Error-Code` (an HTTP-like status) and an error envelope.
 */
export interface RelayReply {
  readonly data: Uint8Array;
  header(name: string): string | undefined;
}

/** What `ctx.tryCall` returns: zod's `safeParse` shape. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: FuseError };

/** The trace a call belongs to. */
export interface CallScope {
  traceId: string;
  deadline: number | undefined;
  /** The `Fuse-Principal` token of the request being handled: calls carry it onward. */
  principalToken?: string | undefined;
  /** The span of the request being handled (tracing on): the parent of the calls' spans. */
  span?: FuseSpan | undefined;
  /** Sent as `traceparent`: the span of this call, made by the caller when tracing is on. */
  traceparent?: string | undefined;
}

/** A topic one emits on: dotted words, no wildcards (subscriptions may use `*` and `>`). */
const EVENT_TOPIC = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RETRIES = 3;
// A keyed partition has no owner for up to a lease (3 s) after its owner died: enough doubling attempts to span it.
const KEYED_RETRIES = 8;
const DEFAULT_BACKOFF_MS = 50;
const NO_OPTIONS: CallOptions = Object.freeze({});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Whether another attempt may follow `error`. A request that certainly reached no handler is
 * tried again while its error is retryable (NO_LIVE_INSTANCE, not ENDPOINT_NOT_FOUND). Once it
 * may have reached one, only when the caller asked (`retryAfterDispatch`): a handler that is
 * not safe to repeat must never run twice because a remote error said "retryable".
 */
export function mayRetry(error: FuseError, afterDispatch: boolean): boolean {
  if (notDelivered(error)) return error.retryable;
  return afterDispatch && (error.retryable || error.code === ErrorCode.OUTCOME_UNKNOWN);
}

/**
 * Tries `send` again, with a doubling backoff, while `mayRetry` allows, attempts remain and
 * the deadline leaves room; rejects with the last error.
 */
async function retryWithBackoff<T>(send: () => Promise<T>, deadline: number, options: { retries?: number; backoffMs?: number; retryAfterDispatch?: boolean }, first: FuseError): Promise<T> {
  let error = first;
  let backoff = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  const retries = options.retries ?? DEFAULT_RETRIES;
  const afterDispatch = options.retryAfterDispatch ?? false;
  for (let attempt = 1; mayRetry(error, afterDispatch) && attempt <= retries && deadline - Date.now() > backoff; attempt++) {
    await sleep(backoff);
    backoff *= 2;
    try {
      return await send();
    } catch (next) {
      error = toFuseError(next);
    }
  }
  throw error;
}

interface PreparedCall {
  target: string;
  parsed: Target & { subject: string };
  headers: HeaderRecord;
  deadline: number;
}

/** Sends calls, fire-and-forget messages and events for one actor (or client) on a transport. */
export class Caller {
  /** Circuit breakers per target; the actor's defaults come from its config (`circuit`). */
  circuits = new Circuits();
  /** Client-side figures of its calls (the actor's metrics); none with metrics off. */
  figures: CallFigures | undefined;
  /** The process's spans: a client span per call, a producer span per event; none with tracing off. */
  tracing: Tracing | undefined;
  // Parsed once per distinct target: calls repeat the same few targets.
  private readonly targets = new Map<string, Target & { subject: string }>();

  constructor(
    readonly transport: Transport,
    readonly prefix: string,
    /** Sent as `Fuse-Caller`. */
    readonly name: string,
  ) {}

  private resolve(target: string, verb: string): Target & { subject: string } {
    let parsed = this.targets.get(target);
    if (!parsed) {
      const t = parseTarget(target);
      if (!t) throw new ValidationError(`${verb} target ${JSON.stringify(target)}: expected "actor.endpoint"`);
      parsed = { ...t, subject: endpointSubject(this.prefix, t.actor, t.endpoint) };
      this.targets.set(target, parsed);
    }
    return parsed;
  }

  /** Calls an endpoint: in a client span of its own when tracing is on. */
  call(scope: CallScope, target: string, input: unknown, options?: CallOptions): Promise<unknown> {
    const tracing = this.tracing;
    return tracing ? this.callTraced(tracing, scope, target, input, options) : this.callFigured(scope, target, input, options);
  }

  private async callTraced(tracing: Tracing, scope: CallScope, target: string, input: unknown, options?: CallOptions): Promise<unknown> {
    let parsed: Target;
    try {
      parsed = this.resolve(target, "call");
    } catch {
      return await this.callFigured(scope, target, input, options);
    }
    // A call made for work that outlives its request (a task run's step) names its own trace.
    const span = callSpan(tracing, options?.traceId === undefined ? scope : { traceId: options.traceId, parent: parseTraceParent(options.traceparent) }, this.name, parsed);
    const traced: CallScope = { traceId: scope.traceId, deadline: scope.deadline, principalToken: scope.principalToken, traceparent: span.traceparent() };
    try {
      const output = await this.callFigured(traced, target, input, options);
      span.end(OK_CODE);
      return output;
    } catch (error) {
      endFailed(span, error);
      throw error;
    }
  }

  /**
   * A call, counted in the metrics. Retries and the caller-side stack live on the (rare) failure
   * path; it stays an async function so that V8's async stack traces can show the caller's frames.
   */
  private async callFigured(scope: CallScope, target: string, input: unknown, options?: CallOptions): Promise<unknown> {
    const figures = this.figures?.of(target);
    if (!figures) return await this.callUnmeasured(scope, target, input, options);
    const started = performance.now();
    try {
      const output = await this.callUnmeasured(scope, target, input, options);
      figures.done(OK_CODE, (performance.now() - started) / 1000);
      return output;
    } catch (error) {
      figures.done(toFuseError(error).code, (performance.now() - started) / 1000);
      throw error;
    }
  }

  private async callUnmeasured(scope: CallScope, target: string, input: unknown, options?: CallOptions): Promise<unknown> {
    // Breaker and fallback wrap the whole call, its retries included: one call, one outcome.
    if (this.circuits.guards(options)) return this.circuits.guard(target, options, () => this.callUnmeasured(scope, target, input, { ...options, circuit: false, fallback: undefined }));
    if (options?.key !== undefined) return this.callKeyed(scope, target, input, options);
    const parsed = this.resolve(target, "call");
    const deadline = Math.min(Date.now() + (options?.timeout ?? DEFAULT_TIMEOUT_MS), scope.deadline ?? Infinity);
    const headers = this.headers(scope, options ?? NO_OPTIONS, deadline);
    if (options?.idempotencyKey) headers[Header.idempotencyKey] = options.idempotencyKey;
    // A repeat after dispatch must be recognisable as one by an endpoint that dedupes.
    else if (options?.retryAfterDispatch) headers[Header.idempotencyKey] = randomUUID();
    try {
      return await this.attempt(target, parsed, headers, deadline, input);
    } catch (error) {
      // Gathered into one object only here: the call that succeeds allocates as little as it can.
      return await this.retry({ target, parsed, headers, deadline }, input, options ?? NO_OPTIONS, toFuseError(error));
    }
  }

  /** A call to a keyed actor: to the key's partition subject, with the key in `Fuse-Key`. */
  private async callKeyed(scope: CallScope, target: string, input: unknown, options: CallOptions & { key?: string }): Promise<unknown> {
    const key = options.key!;
    const problem = actorKeyProblem(key);
    if (problem) throw new ValidationError(`call ${target}: ${problem}`);
    const parsed = this.resolveKeyed(target, key);
    const deadline = Math.min(Date.now() + (options.timeout ?? DEFAULT_TIMEOUT_MS), scope.deadline ?? Infinity);
    const headers = this.headers(scope, options, deadline);
    headers[Header.key] = key;
    if (options.idempotencyKey) headers[Header.idempotencyKey] = options.idempotencyKey;
    else if (options.retryAfterDispatch) headers[Header.idempotencyKey] = randomUUID();
    try {
      return await this.attempt(target, parsed, headers, deadline, input);
    } catch (error) {
      return await this.retry({ target, parsed, headers, deadline }, input, { retries: KEYED_RETRIES, ...options }, toFuseError(error));
    }
  }

  // Per target, its partition subjects, made once: every keyed call names one of them.
  private readonly partitions = new Map<string, (Target & { subject: string })[]>();

  /** The target's partition subject for `key`. */
  private resolveKeyed(target: string, key: string): Target & { subject: string } {
    let subjects = this.partitions.get(target);
    if (!subjects) {
      const base = this.resolve(target, "call");
      subjects = Array.from({ length: KEYED_PARTITIONS }, (_, p) => ({ ...base, subject: endpointPartitionSubject(base.subject, p) }));
      this.partitions.set(target, subjects);
    }
    return subjects[partitionOf(key)]!;
  }

  private attempt(target: string, parsed: PreparedCall["parsed"], headers: HeaderRecord, deadline: number, input: unknown): Promise<unknown> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      return Promise.reject(new DeadlineExceededError(`deadline passed before ${target} could be called`));
    }
    return callEndpoint(this.transport, parsed, input, { headers, timeoutMs: remaining });
  }

  private async retry(call: PreparedCall, input: unknown, options: CallOptions, first: FuseError): Promise<unknown> {
    try {
      return await retryWithBackoff(() => this.attempt(call.target, call.parsed, call.headers, call.deadline, input), call.deadline, options, first);
    } catch (error) {
      // Re-captured here, after an await, so the stack shows the caller's own frames.
      throw marksCrossing(toFuseError(error), call.target, this.retry);
    }
  }

  private headers(scope: CallScope, options: { traceId?: string }, deadline: number, extra?: HeaderRecord): HeaderRecord {
    // Assigned one by one: V8 builds an object from a spread with computed keys far more
    // slowly than by plain assignment, and every call builds these.
    const headers: HeaderRecord = {};
    if (extra) for (const key in extra) headers[key] = extra[key]!;
    headers[Header.traceId] = options.traceId ?? scope.traceId;
    headers[Header.deadline] = String(deadline);
    headers[Header.caller] = this.name;
    if (scope.principalToken !== undefined) headers[Header.principal] = scope.principalToken;
    if (scope.traceparent !== undefined) headers[Header.traceparent] = scope.traceparent;
    return headers;
  }

  /**
   * Sends a body as it is (no encoding, no output decoding) and resolves with the raw reply,
   * error replies included; rejects only when no reply came. The one promise on success keeps
   * a relay such as the gateway lean. Relays made in one event-loop turn leave in one write:
   * each outside request being relayed arrives in a macrotask of its own.
   */
  relay(scope: CallScope, target: string, body: Uint8Array | string, options: RelayOptions = {}): Promise<RelayReply> {
    const base = this.resolve(target, "relay");
    const parsed = options.key === undefined ? base : { ...base, subject: keyedSubjectOf(base.subject, options.key) };
    const deadline = Math.min(options.deadline ?? Infinity, Date.now() + (options.timeout ?? DEFAULT_TIMEOUT_MS), scope.deadline ?? Infinity);
    const headers = this.headers(scope, options, deadline, options.headers);
    if (options.key !== undefined) headers[Header.key] = options.key;
    const retrying = options.key === undefined ? options : { retries: KEYED_RETRIES, ...options };
    const send = (): Promise<Reply> => {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return Promise.reject(new DeadlineExceededError(`deadline passed before ${target} could be called`));
      return requestEndpoint(this.transport, parsed, body, { headers, timeoutMs: remaining, coalesce: true });
    };
    return send().catch((error: unknown) => retryWithBackoff(send, deadline, retrying, toFuseError(error)));
  }

  /** Publishes a request without waiting for any reply. */
  send(scope: CallScope, target: string, input: unknown): void {
    const headers: HeaderRecord = { [Header.traceId]: scope.traceId, [Header.caller]: this.name };
    if (scope.principalToken !== undefined) headers[Header.principal] = scope.principalToken;
    const subject = this.resolve(target, "send").subject;
    const span = this.tracing && publishSpan(this.tracing, scope, this.name, target);
    if (span) headers[Header.traceparent] = span.traceparent();
    try {
      this.transport.publish(subject, JSON.stringify(input ?? {}), headers);
      span?.end(OK_CODE);
    } catch (error) {
      if (span) endFailed(span, error);
      throw error;
    }
  }

  /**
   * Stores an event in the hub's event stream; resolves once it is stored.
   * @throws VALIDATION_FAILED for a topic that is not dotted words, PAYLOAD_TOO_LARGE for a
   *   payload above what the bus takes: at once, nothing is sent.
   */
  emit(scope: CallScope, topic: string, payload: unknown): Promise<void> {
    if (!EVENT_TOPIC.test(topic)) throw new ValidationError(`emit topic ${JSON.stringify(topic)}: expected dotted words such as "order.placed" (letters, digits, - and _)`);
    const headers: HeaderRecord = { [Header.traceId]: scope.traceId, [Header.caller]: this.name };
    if (!this.tracing) return this.transport.emit({ prefix: this.prefix, topic, body: JSON.stringify(payload ?? null), headers, id: newTraceId() });
    const span = publishSpan(this.tracing, scope, this.name, topic, topic);
    headers[Header.traceparent] = span.traceparent();
    try {
      const stored = this.transport.emit({ prefix: this.prefix, topic, body: JSON.stringify(payload ?? null), headers, id: newTraceId() });
      stored.then(() => span.end(OK_CODE), (error: unknown) => endFailed(span, error));
      return stored;
    } catch (error) {
      endFailed(span, error);
      throw error;
    }
  }
}
