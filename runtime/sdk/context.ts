import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger } from "../log/index.ts";
import type { BusStatus, EventFollow, EventFollowSpec } from "../bus/index.ts";
import type { CallOptions, CallResult, Caller, RelayOptions, RelayReply } from "./caller.ts";
import { createActorClient, type ActorClient, type ClientTarget } from "./actor-client.ts";
import { discoverServices, type DiscoverOptions, type DiscoveredService } from "./discover.ts";
import { HttpExchange, type HttpInfo } from "./http-exchange.ts";
import { toFuseError } from "../errors/index.ts";
import type { Files } from "./stores/files.ts";
import type { KeyValue } from "./stores/key-value.ts";
import type { Database } from "../table/index.ts";
import { runOffloaded, type Work } from "./offload/offload.ts";
import { followInstanceLost, type LostInstance } from "./instance-lost.ts";
import { newTraceId, type Principal } from "../protocol/index.ts";
import type { FuseSpan } from "../tracing/index.ts";

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
  /**
   * The outside caller this request acts for, `{ id, roles, via }`: the API key, JWT subject or
   * local user the gateway authenticated, carried on the bus in a token the gateway signed and
   * this process verified before the handler ran (a forged or stale one never reaches it).
   * Every call and send made from the handler carries it onward, so the callee checks its own
   * access against the same principal. Undefined when the request came from an actor, the
   * CLI, a task or a schedule with no outside caller behind it (and in start/stop hooks and
   * event handlers).
   * @example if (!ctx.principal?.roles.includes("ops")) throw new AppError("NOT_OPS", "ops only", { status: 403 });
   */
  readonly principal: Principal | undefined;
  /** The request's idempotency key (`Fuse-Idempotency-Key`), when the caller gave one. */
  readonly idempotencyKey: string | undefined;
  /** The key a request to a keyed actor is for (`Fuse-Key`); undefined for other actors. */
  readonly key: string | undefined;
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
   * It tries again on its own only when the request certainly reached no handler (no instance
   * listened: NO_LIVE_INSTANCE, `retries` times, 3 by default); an error after the request was
   * sent, even one marked `retryable`, is tried again only with `retryAfterDispatch: true`, so a
   * handler never runs twice by surprise. A remote AppError comes back as an AppError with its
   * code, status and details: rethrown, it reaches your own caller (and HTTP) unchanged.
   * @throws VALIDATION_FAILED, ENDPOINT_NOT_FOUND, NO_LIVE_INSTANCE (after retries),
   *   DEADLINE_EXCEEDED, HANDLER_FAILED, OUTCOME_UNKNOWN (the instance that took it died; with
   *   receipts on), PAYLOAD_TOO_LARGE (the input or the output is above what the bus takes,
   *   1 MiB by default), or whatever code the remote handler threw.
   * @example const { count } = await ctx.call<{ count: number }>("counter.increment", { key: "ada" });
   */
  call<TOutput = unknown>(target: string, input?: unknown, options?: CallOptions): Promise<TOutput>;
  /**
   * A typed client of another actor: one method per endpoint, each a `ctx.call` to it, with the
   * input and result types taken from the callee's own zod schemas. Import the callee's type
   * only (`import type`), so its code is not bundled into the caller; the name must be the
   * callee's own, so a misspelt actor, endpoint or field fails the type check.
   * @throws VALIDATION_FAILED for a name that is not a valid actor name; each method throws
   *   what `call` throws.
   * @example
   * import type Counter from "../counter/index.ts";
   * const { count } = await ctx.client<typeof Counter>("counter").increment({ key: "ada" });
   */
  client<TActor extends ClientTarget>(name: TActor["name"]): ActorClient<TActor>;
  /** Like `call`, but returns `{ ok: true, value }` or `{ ok: false, error }` instead of throwing. */
  tryCall<TOutput = unknown>(target: string, input?: unknown, options?: CallOptions): Promise<CallResult<TOutput>>;
  /**
   * Sends a request to `"actor.endpoint"` and does not wait for (or get) a reply.
   * @throws PAYLOAD_TOO_LARGE when the input is above what the bus takes (nothing is sent).
   * @example ctx.send("mailer.welcome", { to: "ada@example.com" });
   */
  send(target: string, input?: unknown): void;
  /**
   * Publishes an event on `<prefix>.events.<topic>` and resolves once the hub's event stream
   * has stored it: from then on every actor subscribed to the topic gets it, at least once,
   * even if it is down now. Left unawaited, a failure to store is logged instead of thrown.
   * @throws VALIDATION_FAILED for a topic that is not dotted words, PAYLOAD_TOO_LARGE when the
   *   payload is above what the bus takes: at once, nothing is sent. The promise rejects with
   *   NO_LIVE_INSTANCE when the stream cannot be reached (not stored) or OUTCOME_UNKNOWN when
   *   its acknowledgement was lost (it may be stored).
   * @example await ctx.emit("order.placed", { id: order.id });
   */
  emit(topic: string, payload?: unknown): Promise<void>;
  /**
   * The HTTP side of a request that came through the gateway (method, path, allow-listed
   * headers, cookies, response cookies and headers); undefined for any other request.
   * @example ctx.http?.setCookie("visited", "yes", { maxAge: 86_400 });
   */
  readonly http: HttpInfo | undefined;
  /**
   * Sends a body to `"actor.endpoint"` as it is and resolves with the raw reply (error
   * replies included, with their `Nats-Service-Error-Code` header): for relays, such as the
   * gateway, that pass bytes through on behalf of an outside caller's trace and deadline.
   * @throws ENDPOINT_NOT_FOUND, NO_LIVE_INSTANCE (after retries), DEADLINE_EXCEEDED when no
   *   reply came; VALIDATION_FAILED for a target that is not `"actor.endpoint"`.
   * @example const reply = await ctx.relay("greeter.hello", '{"name":"Ada"}', { traceId, deadline });
   */
  relay(target: string, body: Uint8Array | string, options?: RelayOptions): Promise<RelayReply>;
  /**
   * Lists the actor instances running on the bus (`$SRV.INFO`) under this hub's prefix, with
   * their endpoints' JSON Schemas and HTTP routes. Waits up to `timeoutMs` (default 1 000).
   * @example const actors = new Set((await ctx.discover()).map((s) => s.actor));
   */
  discover(options?: DiscoverOptions): Promise<DiscoveredService[]>;
  /**
   * Whether this process's connection to the bus is up, and since when (epoch ms). Calls made
   * while it is down wait for the reconnection within their deadline.
   * @example if (!ctx.busStatus().up) ctx.log.warn("bus down");
   */
  busStatus(): BusStatus;
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
  /**
   * Runs CPU-bound work on a pool of worker threads, keeping this actor's event loop free.
   * Resolves with the function's result; `ctx.offload.detached(...)` does not wait (errors
   * are logged).
   * @example const n = await ctx.offload(fib, 35);
   */
  readonly offload: Offload;
  /**
   * The hub's database: `ctx.db.table<Note>("notes")` (insert, find, get, update, delete,
   * count, upsert), `ctx.db.transaction(async (tx) => …)`, `ctx.db.sql(text, args)`.
   * Tables come from `schemas/*.json`; values are checked per column and always bound.
   * `insert(rows, { idempotencyKey })`, or an insert whose rows carry their primary keys, is
   * safe to repeat: ctx.db settles a lost connection itself (see runtime/table/README.md).
   * @throws VALIDATION_FAILED naming the column for a wrong value (or one the database cannot
   *   take: a lone surrogate, a request above 16 MiB); NOT_FOUND for an unknown table;
   *   NO_LIVE_INSTANCE when the database cannot be reached (nothing was applied; retry);
   *   OUTCOME_UNKNOWN when a write's connection was lost after it was sent (it may have been
   *   applied; repeat it only if it is safe to); CONFLICT for an idempotency key reused.
   * @example const [note] = await ctx.db.table("notes").insert({ title: "hi" });
   */
  readonly db: Database;
}

export interface Offload {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  <TFn extends (...args: any[]) => unknown>(work: Work<TFn>, ...args: Parameters<TFn>): Promise<Awaited<ReturnType<TFn>>>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  detached<TFn extends (...args: any[]) => unknown>(work: Work<TFn>, ...args: Parameters<TFn>): void;
}

/** The stores of one actor instance, shared by all its contexts. */
export interface ActorStores {
  kv: KeyValue;
  files: Files;
  db: Database;
}

export interface ContextInit {
  actor: string;
  instance: number;
  traceId?: string;
  caller?: string;
  idempotencyKey?: string;
  /** `Fuse-Key`: the key of a request to a keyed actor. */
  key?: string;
  deadline?: number;
  /** The verified principal and the token it came in, carried onward by calls. */
  principal?: Principal;
  principalToken?: string;
  /** The span of the request or event (tracing on): the parent of everything done for it. */
  span?: FuseSpan | undefined;
  rootLog: Logger;
  sender: Caller;
  stores: ActorStores;
  /** The request's bus headers, read for `ctx.http`. */
  request?: { header(name: string): string | undefined };
}

/** One per request (and one per actor instance for start/stop and events). */
export class RequestContext implements ActorContext {
  readonly actor: string;
  readonly instance: number;
  readonly traceId: string;
  readonly caller: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly key: string | undefined;
  readonly deadline: number | undefined;
  readonly principal: Principal | undefined;
  /** The `Fuse-Principal` token as received, sent on with every call made from this context. */
  readonly principalToken: string | undefined;
  /** The request's span when tracing is on: its calls', events' and statements' parent (not part of ActorContext). */
  readonly span: FuseSpan | undefined;
  private readonly rootLog: Logger;
  private readonly sender: Caller;
  private readonly stores: ActorStores;
  private childLog: Logger | undefined;
  private controller: AbortController | undefined;
  private readonly request: ContextInit["request"];
  private exchange: HttpExchange | null | undefined;

  constructor(init: ContextInit) {
    this.actor = init.actor;
    this.instance = init.instance;
    this.traceId = init.traceId ?? newTraceId();
    this.caller = init.caller;
    this.idempotencyKey = init.idempotencyKey;
    this.key = init.key;
    this.deadline = init.deadline;
    this.principal = init.principal;
    this.principalToken = init.principalToken;
    this.span = init.span;
    this.rootLog = init.rootLog;
    this.sender = init.sender;
    this.stores = init.stores;
    this.request = init.request;
  }

  // Made on first use, like the logger: most handlers never look at HTTP.
  get http(): HttpExchange | undefined {
    if (this.exchange === undefined) this.exchange = (this.request && HttpExchange.of(this.request)) ?? null;
    return this.exchange ?? undefined;
  }

  /** The bus headers the reply should carry (cookies and headers set through `http`). */
  replyHeaders(): Record<string, string> | undefined {
    return this.exchange ? this.exchange.replyHeaders() : undefined;
  }

  relay(target: string, body: Uint8Array | string, options?: RelayOptions): Promise<RelayReply> {
    return this.sender.relay(this, target, body, options);
  }

  discover(options?: DiscoverOptions): Promise<DiscoveredService[]> {
    return discoverServices(this.sender.transport, this.sender.prefix, options);
  }

  busStatus(): BusStatus {
    return this.sender.transport.busStatus();
  }

  /** A live view of a topic's stored events under this hub's prefix (the runtime's `followEvents`; not part of ActorContext). */
  followEvents(spec: Omit<EventFollowSpec, "prefix">): Promise<EventFollow> {
    return this.sender.transport.followEvents({ ...spec, prefix: this.sender.prefix });
  }

  /** Each instance of this hub the hub reports dead (the runtime's `onInstanceLost`; not part of ActorContext). */
  followInstanceLost(lost: (instance: LostInstance) => void): () => void {
    return followInstanceLost(this.sender.transport, this.sender.prefix, lost);
  }

  get kv(): KeyValue {
    return this.stores.kv;
  }

  get files(): Files {
    return this.stores.files;
  }

  get db(): Database {
    return this.stores.db;
  }

  get offload(): Offload {
    const run = ((work, ...args) => runOffloaded(work, args)) as Offload;
    run.detached = (work, ...args) => {
      runOffloaded(work, args).catch((err: unknown) => this.log.error({ err, work: work.name }, "offloaded work failed"));
    };
    return run;
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

  client<TActor extends ClientTarget>(name: TActor["name"]): ActorClient<TActor> {
    return createActorClient<TActor>(name, (target, input, options) => this.call(target, input, options));
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

  emit(topic: string, payload?: unknown): Promise<void> {
    const stored = this.sender.emit(this, topic, payload);
    // Handlers written before emit returned a promise do not await it: a failure is logged
    // here rather than left unhandled (which would end the process); awaited, it still rejects.
    stored.catch((err: unknown) => this.log.error({ err, code: toFuseError(err).code, topic }, "event not stored"));
    return stored;
  }
}

const storage = new AsyncLocalStorage<ActorContext>();

/** The span of the request or event a context is for (tracing on), for runtime code that passes it on by hand. */
export function spanOf(ctx: ActorContext): FuseSpan | undefined {
  return (ctx as RequestContext).span;
}

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
