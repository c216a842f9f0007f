import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger } from "../log/index.ts";
import type { CallOptions, CallResult, Caller } from "./caller.ts";
import { toFuseError } from "../errors/index.ts";
import type { Files } from "./files.ts";
import type { KeyValue } from "./key-value.ts";
import { newTraceId } from "./trace-id.ts";

/**
 * What a handler gets besides its input: who and where it is, the trace it belongs to, and
 * the ways to reach other actors.
 */
export interface ActorContext {
  /** This actor's name. */
  readonly actor: string;
  /** This process's instance number (0-based). */
  readonly instance: number;
  /** The trace id of the request (`Fuse-Trace-Id`), carried into every call made from it. */
  readonly traceId: string;
  /** The actor that made the request, when it was an actor (`Fuse-Caller`). */
  readonly caller: string | undefined;
  /** The request's idempotency key (`Fuse-Idempotency-Key`), when the caller gave one. */
  readonly idempotencyKey: string | undefined;
  /** Epoch ms after which nobody waits for this request's reply; undefined outside requests. */
  readonly deadline: number | undefined;
  /** Ms left until the deadline (Infinity when there is none). */
  remainingMs(): number;
  /** Aborts when the deadline passes. */
  readonly signal: AbortSignal;
  /** pino logger bound to actor, instance and trace id. */
  readonly log: Logger;
  /**
   * Calls `"actor.endpoint"` and resolves with its output. The trace id and deadline go along.
   * @throws VALIDATION_FAILED, ENDPOINT_NOT_FOUND, NO_LIVE_INSTANCE (after retries),
   *   DEADLINE_EXCEEDED, HANDLER_FAILED, or whatever code the remote handler threw.
   * @example const { count } = await ctx.call<{ count: number }>("counter.increment", { key: "ada" });
   */
  call<TOutput = unknown>(target: string, input?: unknown, options?: CallOptions): Promise<TOutput>;
  /** Like `call`, but returns `{ ok: true, value }` or `{ ok: false, error }` instead of throwing. */
  tryCall<TOutput = unknown>(target: string, input?: unknown, options?: CallOptions): Promise<CallResult<TOutput>>;
  /** Sends a request to `"actor.endpoint"` and does not wait for (or get) a reply. */
  send(target: string, input?: unknown): void;
  /** Publishes an event on `<prefix>.events.<topic>`. */
  emit(topic: string, payload?: unknown): void;
  /**
   * Key-value store shared by the whole hub (JetStream KV); `ctx.kv.in(name, { ttlMs })` for
   * another bucket, e.g. one whose entries expire.
   * @example await ctx.kv.put("greeting.ada", { at: Date.now() }); const v = await ctx.kv.get("greeting.ada");
   */
  readonly kv: KeyValue;
  /**
   * File storage shared by the whole hub (JetStream object store), streaming in and out.
   * @example await ctx.files.put("report.csv", csvText, { contentType: "text/csv" });
   */
  readonly files: Files;
}

/** The stores of one actor instance, shared by all its contexts. */
export interface ActorStores {
  kv: KeyValue;
  files: Files;
}

export interface ContextInit {
  actor: string;
  instance: number;
  traceId?: string;
  caller?: string;
  idempotencyKey?: string;
  deadline?: number;
  rootLog: Logger;
  sender: Caller;
  stores: ActorStores;
}

/** One per request (and one per actor instance for start/stop and events). */
export class RequestContext implements ActorContext {
  readonly actor: string;
  readonly instance: number;
  readonly traceId: string;
  readonly caller: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly deadline: number | undefined;
  private readonly rootLog: Logger;
  private readonly sender: Caller;
  private readonly stores: ActorStores;
  private childLog: Logger | undefined;
  private controller: AbortController | undefined;

  constructor(init: ContextInit) {
    this.actor = init.actor;
    this.instance = init.instance;
    this.traceId = init.traceId ?? newTraceId();
    this.caller = init.caller;
    this.idempotencyKey = init.idempotencyKey;
    this.deadline = init.deadline;
    this.rootLog = init.rootLog;
    this.sender = init.sender;
    this.stores = init.stores;
  }

  get kv(): KeyValue {
    return this.stores.kv;
  }

  get files(): Files {
    return this.stores.files;
  }

  remainingMs(): number {
    return this.deadline === undefined ? Infinity : Math.max(0, this.deadline - Date.now());
  }

  // Made on first use: most handlers never touch the signal or the logger.
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.deadline !== undefined) {
        const timer = setTimeout(() => this.controller!.abort(), this.remainingMs());
        timer.unref();
      }
    }
    return this.controller.signal;
  }

  get log(): Logger {
    this.childLog ??= this.rootLog.child({ traceId: this.traceId, ...(this.caller ? { caller: this.caller } : {}) });
    return this.childLog;
  }

  call<TOutput = unknown>(target: string, input?: unknown, options?: CallOptions): Promise<TOutput> {
    return this.sender.call(this, target, input ?? {}, options) as Promise<TOutput>;
  }

  async tryCall<TOutput = unknown>(target: string, input?: unknown, options?: CallOptions): Promise<CallResult<TOutput>> {
    try {
      return { ok: true, value: await this.call<TOutput>(target, input, options) };
    } catch (error) {
      return { ok: false, error: toFuseError(error) };
    }
  }

  send(target: string, input?: unknown): void {
    this.sender.send(this, target, input);
  }

  emit(topic: string, payload?: unknown): void {
    this.sender.emit(this, topic, payload);
  }
}

const storage = new AsyncLocalStorage<ActorContext>();

/** Runs `fn` with `ctx` as the current context of everything it awaits or schedules. */
export function runInContext<T>(ctx: ActorContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/**
 * The context of the request being handled, wherever in its async chain this is called;
 * undefined outside any request. Useful in helpers that were not handed `ctx`.
 * @example const traceId = currentContext()?.traceId;
 */
export function currentContext(): ActorContext | undefined {
  return storage.getStore();
}
