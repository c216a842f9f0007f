import type { z } from "zod";
import type { IncomingRequest } from "../bus/index.ts";
import {
  AppError,
  DeadlineExceededError,
  FuseError,
  ValidationError,
  toFuseError,
  toWire,
  validationErrorFromIssues,
  withDeclaredStatus,
} from "../errors/index.ts";
import { ErrorCode, Header, ProcessEnv, replyBodiesBucket, type Principal } from "../protocol/index.ts";
import type { Logger } from "../log/index.ts";
import type { PrincipalVerifier } from "../security/index.ts";
import { checkPrincipalAccess } from "./endpoint-access.ts";
import { hideSensitive, loggerHiding } from "./sensitive-fields.ts";
import type { Caller } from "./caller.ts";
import { RequestContext, runInContext, type ActorStores } from "./context.ts";
import type { AnyEndpoint } from "./define-actor.ts";
import { DEFAULT_TIMEOUT_MS } from "./caller.ts";
import { isRawOutput } from "./raw-output.ts";
import { OK_CODE, type EndpointMetrics } from "../metrics/index.ts";
import { sendRawReply } from "./raw-reply.ts";
import { wasRefusedBeforeRun } from "./refused-before-run.ts";
import type { FuseSpan, Tracing } from "../tracing/index.ts";
import { serverSpan } from "./spans.ts";

const decoder = new TextDecoder();

/** Counters of one endpoint, reported in `$SRV.STATS`. */
export class EndpointStats {
  requests = 0;
  errors = 0;
  inflight = 0;
  totalMs = 0;
  lastError: string | undefined;

  toJSON() {
    return {
      requests: this.requests,
      errors: this.errors,
      inflight: this.inflight,
      meanMs: this.requests ? +(this.totalMs / this.requests).toFixed(3) : 0,
      lastError: this.lastError,
    };
  }
}

export interface EndpointRunnerOptions {
  actor: string;
  instance: number;
  name: string;
  endpoint: AnyEndpoint;
  log: Logger;
  sender: Caller;
  stores: ActorStores;
  /** Verifies `Fuse-Principal`; without one, a request carrying a principal is refused. */
  principals?: PrincipalVerifier;
  /** Called whenever the number of requests in flight drops to zero. */
  onIdle(): void;
  /** Runs the handler with its context (runInContext: in AsyncLocalStorage; a built-in actor may run it plainly). */
  inContext?: typeof runInContext;
  /** Prometheus figures of this endpoint (requests by outcome, latency); none with metrics off. */
  metrics?: EndpointMetrics | undefined;
  /** The process's spans; none with tracing off. */
  tracing?: Tracing | undefined;
}

function parseBody(data: Uint8Array, where: string): unknown {
  if (data.length === 0) return {};
  const text = decoder.decode(data);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${where}: body is not valid JSON (${(error as Error).message})`, {
      code: ErrorCode.BAD_REQUEST,
    });
  }
}

function check<T extends z.ZodType>(schema: T, value: unknown, where: string, code?: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationErrorFromIssues(where, result.error.issues, code ? { code } : {});
}

/**
 * Serves one endpoint: parses and validates the input, runs the handler inside its request
 * context, validates the output, and answers with the output or an error envelope. A
 * handler's exception becomes an error reply, never a crashed process.
 */
export class EndpointRunner {
  readonly stats = new EndpointStats();
  private readonly where: string;
  /** The root of the handlers' loggers: hides the endpoint's sensitive fields. */
  private readonly handlerLog: Logger;

  constructor(private readonly options: EndpointRunnerOptions) {
    this.where = `${options.actor}.${options.name}`;
    this.handlerLog = loggerHiding(options.log, options.endpoint.sensitive);
  }

  /**
   * Handles one request. A handler that returns a plain value is answered in the same tick,
   * with no promise at all; one that returns a promise costs a single `then`.
   */
  handle(request: IncomingRequest): void {
    const started = performance.now();
    this.stats.inflight++;
    const tracing = this.options.tracing;
    const span = tracing && serverSpan(tracing, request, this.options);
    let result: unknown;
    // Kept here so the reply can carry what the handler set through `ctx.http`.
    let ctx: RequestContext | undefined;
    try {
      result = this.begin(request, (c) => (ctx = c), span);
    } catch (thrown) {
      this.finish(request, started, undefined, thrown, ctx, span);
      return;
    }
    if (isThenable(result)) {
      result.then(
        (output) => this.finish(request, started, output, undefined, ctx, span),
        (thrown: unknown) => this.finish(request, started, undefined, thrown ?? new Error("handler rejected"), ctx, span),
      );
    } else {
      this.finish(request, started, result, undefined, ctx, span);
    }
  }

  /** Checks the deadline and input, then starts the handler inside its request context. */
  private begin(request: IncomingRequest, onContext: (ctx: RequestContext) => void, span: FuseSpan | undefined): unknown {
    const { endpoint, actor, instance, log, sender, stores } = this.options;
    const deadlineText = request.header(Header.deadline);
    const deadline = deadlineText ? Number(deadlineText) : Date.now() + DEFAULT_TIMEOUT_MS;
    if (deadline <= Date.now()) {
      throw new DeadlineExceededError(`${this.where}: the request's deadline had passed when it arrived`);
    }
    // Who asks is settled before the input is read: a refused caller learns nothing of the schema.
    const principalToken = request.header(Header.principal);
    const principal = principalToken === undefined ? undefined : this.principalOf(principalToken);
    const input = check(endpoint.input, parseBody(request.data, this.where), `${this.where} input`);
    const ctx = new RequestContext({
      actor,
      instance,
      // A foreign client may send only a `traceparent`: its trace is then the request's.
      traceId: request.header(Header.traceId) ?? span?.traceId,
      caller: request.header(Header.caller),
      span,
      idempotencyKey: request.header(Header.idempotencyKey),
      key: request.header(Header.key),
      deadline,
      principal,
      principalToken,
      rootLog: this.handlerLog,
      sender,
      stores,
      request,
    });
    onContext(ctx);
    if (endpoint.audit) this.audit(request, input, principal);
    if (log.isLevelEnabled("debug")) ctx.log.debug({ endpoint: this.options.name }, "request received");
    return (this.options.inContext ?? runInContext)(ctx, () => endpoint.handler(input, ctx));
  }

  /**
   * The principal a request's token names, once its signature and expiry are checked, and
   * its access to this endpoint.
   * @throws UNAUTHENTICATED for a forged, stale or malformed token (or no key to check it);
   *   FORBIDDEN when the principal lacks the endpoint's access.
   */
  private principalOf(token: string): Principal {
    const verifier = this.options.principals;
    if (!verifier) {
      throw new FuseError(ErrorCode.UNAUTHENTICATED, `${this.where}: the request carries ${Header.principal} but this actor holds no key to verify it (${ProcessEnv.principalKey} is unset)`);
    }
    let principal: Principal;
    try {
      principal = verifier.verify(token);
    } catch (error) {
      const refused = toFuseError(error);
      throw new FuseError(refused.code, `${this.where}: ${refused.message}`);
    }
    checkPrincipalAccess(this.where, this.options.endpoint.access, principal);
    return principal;
  }

  /** A control action's log line: what was asked and who asked (principal, calling actor, HTTP client). */
  private audit(request: IncomingRequest, input: unknown, principal: Principal | undefined): void {
    const { sensitive } = this.options.endpoint;
    const shown = sensitive?.length ? hideSensitive(input, sensitive) : input;
    const line: Record<string, unknown> = { endpoint: this.where, input: shown, traceId: request.header(Header.traceId) };
    if (principal) line.principal = { id: principal.id, via: principal.via, roles: principal.roles };
    const caller = request.header(Header.caller);
    if (caller) line.caller = caller;
    const address = request.header(Header.clientAddress);
    if (address) line.address = address;
    this.options.log.info(line, "control action");
  }

  private finish(request: IncomingRequest, started: number, output: unknown, thrown?: unknown, ctx?: RequestContext, span?: FuseSpan): void {
    if (thrown === undefined && output instanceof Response) return this.finishRaw(request, started, output, ctx, span);
    let body: string | undefined;
    if (thrown === undefined) {
      try {
        const checked = check(this.options.endpoint.output, output, `${this.where} output`, ErrorCode.OUTPUT_INVALID);
        body = checked === undefined ? "" : JSON.stringify(checked);
      } catch (error) {
        thrown = error;
      }
    }
    const replyHeaders = ctx?.replyHeaders();
    let failure: FuseError | undefined;
    // Before the reply leaves: the caller may receive it and end its own span before this
    // process, descheduled on a busy machine, gets back to end this one.
    span?.markEnd();
    try {
      failure = body !== undefined ? this.respond(request, body, replyHeaders) : this.fail(request, thrown, replyHeaders);
    } catch (error) {
      // Not even an error reply could be sent (the connection closed, say): the caller's own
      // deadline tells it, and this request still counts as finished.
      this.options.log.error({ err: error, code: toFuseError(error).code, endpoint: this.options.name }, "reply not sent");
    }
    const code = failure?.code ?? OK_CODE;
    this.stats.requests++;
    const ms = performance.now() - started;
    this.stats.totalMs += ms;
    this.options.metrics?.done(code, ms / 1000);
    span?.end(code, failure?.message);
    if (--this.stats.inflight === 0) this.options.onIdle();
  }

  /**
   * Sends a handler's `Response` (an endpoint of `rawOutput`): its body is read first, perhaps
   * a stream, and a large one goes through the object store (raw-reply.ts).
   */
  private finishRaw(request: IncomingRequest, started: number, response: Response, ctx: RequestContext | undefined, span: FuseSpan | undefined): void {
    if (!isRawOutput(this.options.endpoint.output)) {
      const error = new FuseError(ErrorCode.OUTPUT_INVALID, `${this.where} output: the handler returned a Response, but the endpoint's output is not declared with rawOutput(…)`);
      return this.finish(request, started, undefined, error, ctx, span);
    }
    const { sender } = this.options;
    const bucket = replyBodiesBucket(sender.prefix);
    sendRawReply(request, response, { replyHeaders: ctx?.replyHeaders(), bucket, bodies: () => sender.transport.objects(bucket) }).then(
      () => {
        this.stats.requests++;
        const ms = performance.now() - started;
        this.stats.totalMs += ms;
        this.options.metrics?.done(OK_CODE, ms / 1000);
        span?.end(OK_CODE);
        if (--this.stats.inflight === 0) this.options.onIdle();
      },
      (error: unknown) => this.finish(request, started, undefined, error, ctx, span),
    );
  }

  /** Sends the output; one too large for the bus goes back to the caller as PAYLOAD_TOO_LARGE instead (returned). */
  private respond(request: IncomingRequest, body: string, replyHeaders: Record<string, string> | undefined): FuseError | undefined {
    try {
      request.respond(body, replyHeaders);
      return undefined;
    } catch (error) {
      if (!(error instanceof FuseError) || error.code !== ErrorCode.PAYLOAD_TOO_LARGE) throw error;
      this.options.log.warn({ err: error, code: error.code, traceId: request.header(Header.traceId), endpoint: this.options.name }, "reply too large");
      return this.fail(request, error, replyHeaders);
    }
  }

  /** Sends the error envelope; returns the error as sent (its code is the request's outcome in the metrics). */
  private fail(request: IncomingRequest, thrown: unknown, replyHeaders?: Record<string, string>): FuseError {
    const declared = this.options.endpoint.errors;
    let error = toFuseError(thrown);
    const declaration = declared && Object.hasOwn(declared, error.code) ? declared[error.code] : undefined;
    error = withDeclaredStatus(error, declaration?.status);
    this.stats.errors++;
    this.stats.lastError = error.code;
    const traceId = request.header(Header.traceId);
    // A bulkhead or circuit that refused is the instance protecting itself, not a fault: warn, no stack.
    if (!(thrown instanceof FuseError) || (error.status >= 500 && error.code !== ErrorCode.OVERLOADED && error.code !== ErrorCode.CIRCUIT_OPEN)) {
      this.options.log.error({ err: thrown, code: error.code, traceId, endpoint: this.options.name }, "handler failed");
    } else {
      // A refusal (4xx) is the answer the request deserved, not a fault: no stack, and the
      // database's own message (a constraint's cause) kept here, never sent to the caller.
      const line: Record<string, unknown> = { code: error.code, status: error.status, reason: error.message, traceId, endpoint: this.options.name };
      if (error.details !== undefined) line.details = error.details;
      if (error.cause instanceof Error) line.cause = error.cause.message;
      if (error instanceof AppError && !declaration) line.undeclared = true;
      this.options.log.warn(line, "request refused");
    }
    const wire = toWire(error.actor ? error : withActor(error, this.options.actor));
    if (wasRefusedBeforeRun(thrown)) wire.headers[Header.notRun] = "1";
    request.respond(wire.body, replyHeaders ? { ...replyHeaders, ...wire.headers } : wire.headers);
    return error;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

function withActor(error: FuseError, actor: string): FuseError {
  Object.defineProperty(error, "actor", { value: actor, enumerable: true });
  return error;
}
