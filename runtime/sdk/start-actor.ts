import { z } from "zod";
import type { DeliveredEvent, EventConsumer, ServedService, Transport } from "../bus/index.ts";
import { DEFAULT_PREFIX, EndpointMeta, ErrorCode, Header, ServiceMeta, endpointSubject } from "../protocol/index.ts";
import { createLogger, type Logger } from "../log/index.ts";
import { Caller } from "./caller.ts";
import { RequestContext, runInContext, type ActorStores } from "./context.ts";
import { Files } from "./stores/files.ts";
import { BucketAccess, usesOf } from "./stores/bucket-access.ts";
import { Database, type DatabaseOptions } from "../table/index.ts";
import type { PrincipalVerifier } from "../security/index.ts";
import { accessText } from "./endpoint-access.ts";
import { KeyValue } from "./stores/key-value.ts";
import { ON_DRAIN, SERVED_ADDRESS, WITHOUT_CONTEXT_STORAGE, type InternalActor, type AnyActor } from "./define-actor.ts";
import { EndpointRunner } from "./endpoint-runner.ts";
import { FuseError, UnavailableError, ValidationError, toFuseError } from "../errors/index.ts";
import { eventSubscriptionOf } from "./event-subscription.ts";
import { declaredErrorsText } from "./declared-errors.ts";
import { KeyedHost } from "./keyed/keyed-host.ts";
import { ActorGuards, guardMetadata } from "./resilience/endpoint-guards.ts";
import { Circuits } from "./resilience/circuits.ts";
import type { CircuitOptions } from "./resilience/circuit-breaker.ts";
import { ActorMetrics, OK_CODE } from "../metrics/index.ts";
import { answerMetrics } from "./metrics-answer.ts";
import { answerTraces } from "./traces-answer.ts";
import { CallFigures } from "./call-figures.ts";
import { dbFigures } from "./db-figures.ts";
import type { Tracing } from "../tracing/index.ts";
import { deliverSpan, endFailed } from "./spans.ts";
import { statementObserver, useProcessTracing } from "./process-tracing.ts";

const decoder = new TextDecoder();

/** An event's payload (null when empty), or the BAD_REQUEST error saying why it is not JSON. */
function parseEventPayload(data: Uint8Array, topic: string): { value: unknown } | FuseError {
  if (data.length === 0) return { value: null };
  try {
    return { value: JSON.parse(decoder.decode(data)) };
  } catch (error) {
    return new ValidationError(`event ${topic}: payload is not valid JSON (${(error as Error).message})`, { code: ErrorCode.BAD_REQUEST });
  }
}

/**
 * Subscribes the actor to each of its topics through its durable subscription: the handler
 * runs in the event's context; a payload that is not JSON goes to the dead letters at once.
 */
async function subscribeEvents(
  definition: AnyActor,
  transport: Transport,
  prefix: string,
  log: Logger,
  contextOf: (event: DeliveredEvent, topic: string) => RequestContext,
  inContext: typeof runInContext,
): Promise<EventConsumer[]> {
  return Promise.all(
    Object.entries(definition.events ?? {}).map(async ([topic, entry]) => {
      const { handler, from, concurrency } = eventSubscriptionOf(entry);
      try {
        return await transport.consumeEvents({
          prefix,
          actor: definition.name,
          topic,
          from,
          concurrency,
          handle: async (event) => {
            const ctx = contextOf(event, topic);
            const payload = parseEventPayload(event.data, topic);
            if (payload instanceof FuseError) {
              // Any client may publish on an event subject: bytes that are not JSON are set
              // aside, so the events after them still arrive.
              log.warn({ err: payload, code: payload.code, topic, traceId: ctx.traceId }, "malformed event skipped");
              ctx.span?.end(payload.code);
              throw payload;
            }
            try {
              await inContext(ctx, () => handler(payload.value, ctx));
              ctx.span?.end(OK_CODE);
            } catch (err) {
              log.warn({ err, code: toFuseError(err).code, topic, attempt: event.attempt, eventId: event.id, traceId: ctx.traceId }, "event handler failed");
              if (ctx.span) endFailed(ctx.span, err);
              throw err;
            }
          },
          onDead: (event, err) => {
            if (toFuseError(err).code === ErrorCode.BAD_REQUEST) return;
            log.error({ err, code: toFuseError(err).code, topic, attempts: event.attempt, eventId: event.id }, "event given up to the dead letters");
          },
        });
      } catch (error) {
        // The cause's message is in this one: the hub shows it as the reason the instance stopped.
        throw new UnavailableError(`actor "${definition.name}" cannot subscribe to event ${JSON.stringify(topic)}: ${toFuseError(error).message}`);
      }
    }),
  );
}

export interface StartActorOptions {
  transport: Transport;
  /** Subject prefix. Default `fuse`. */
  prefix?: string;
  /** Instance number of this process. Default 0. */
  instance?: number;
  /** Root logger. Default: a pino logger on stdout at `info`. */
  log?: Logger;
  /** Longest wait for requests in flight when stopping, in ms. Default 10 000. */
  drainTimeoutMs?: number;
  /** A keyed actor's partition lease, in ms. Default 3 000. */
  keyedLeaseMs?: number;
  /** The database behind `ctx.db`. Default: none (ctx.db then says so when used). */
  db?: DatabaseOptions;
  /**
   * Verifies the `Fuse-Principal` of requests (the hub's public key). Default: none, and a
   * request that carries a principal is refused UNAUTHENTICATED.
   */
  principals?: PrincipalVerifier;
  /** A circuit breaker on every call the actor makes, per target (the config's `circuit`). */
  circuit?: CircuitOptions;
  /**
   * Prometheus figures of its endpoints and calls, answered on `$SRV.METRICS`: `false` turns
   * them off (the config's `metrics.enabled`), `"process"` adds the process's CPU, memory and
   * event-loop lag (an actor in a process of its own). Default: on, without process figures.
   */
  metrics?: boolean | "process";
  /**
   * Spans of its requests, calls, events and `ctx.db` statements (`startTracing`; the config's
   * `telemetry`). Default: none, and nothing on the request path looks for spans.
   */
  tracing?: Tracing;
  /**
   * A second subject for each endpoint, listened on outside the queue group, where only this
   * instance answers (a cluster node's hub: `protocol/cluster.ts` hubNodeSubject). Not for keyed actors.
   */
  directSubject?: (endpoint: string) => string;
  /** On a cluster: the node this instance runs on, in its `$SRV.INFO` metadata. */
  node?: string;
}

export interface RunningActor {
  readonly name: string;
  readonly serviceId: string;
  /** Where it serves outside the bus, when its definition says (`SERVED_ADDRESS`). */
  readonly address: string | undefined;
  /** Requests in flight across all endpoints. */
  inflight(): number;
  /** Stops taking requests, waits for those in flight, runs `stop`, and leaves the bus. */
  stop(): Promise<void>;
}

function jsonSchemaText(schema: z.ZodType): string {
  try {
    return JSON.stringify(z.toJSONSchema(schema, { unrepresentable: "any", io: "input" }));
  } catch {
    return "{}";
  }
}

function endpointMetadata(endpoint: AnyActor["endpoints"][string]): Record<string, string> {
  const meta: Record<string, string> = {
    [EndpointMeta.inputSchema]: jsonSchemaText(endpoint.input),
    [EndpointMeta.outputSchema]: jsonSchemaText(endpoint.output),
  };
  if (endpoint.http) meta[EndpointMeta.http] = JSON.stringify(endpoint.http);
  if (endpoint.description) meta[EndpointMeta.description] = endpoint.description;
  const errors = declaredErrorsText(endpoint.errors);
  if (errors) meta[EndpointMeta.errors] = errors;
  const access = accessText(endpoint.access);
  if (access) meta[EndpointMeta.access] = access;
  return { ...meta, ...guardMetadata(endpoint) };
}

/**
 * Serves an actor on a transport: one micro service named after the actor, an endpoint per
 * declared endpoint in the actor's queue group, and its event subscriptions.
 */
export async function startActor(definition: AnyActor, options: StartActorOptions): Promise<RunningActor> {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const instance = options.instance ?? 0;
  const log = options.log ?? createLogger({ actor: definition.name, instance });
  const sender = new Caller(options.transport, prefix, definition.name);
  sender.circuits = new Circuits(options.circuit, log);
  const tracing = options.tracing;
  sender.tracing = tracing;
  const stopTracing = tracing && useProcessTracing(tracing);
  const metrics = options.metrics === false ? undefined : new ActorMetrics({ actor: definition.name, instance, processMetrics: options.metrics === "process" });
  // Its own buckets by default; any other only if declared (the hub gives the bus identity the same).
  const access = new BucketAccess(definition.name, usesOf(definition, prefix));
  const own = BucketAccess.own(prefix, definition.name);
  const stores: ActorStores = {
    kv: new KeyValue((bucket, o) => options.transport.keyValue(bucket, o), own.kv, {}, access),
    files: new Files((bucket) => options.transport.objects(bucket), own.files, access),
    db: new Database({ ...options.db, ...(tracing ? { observe: statementObserver(tracing, definition.name) } : {}), ...(metrics ? { measure: dbFigures(metrics) } : {}) }),
  };
  const lifecycleContext = () => new RequestContext({ actor: definition.name, instance, rootLog: log, sender, stores });

  const keyed = definition.keyed
    ? new KeyedHost({ definition: { ...definition, keyed: definition.keyed }, transport: options.transport, prefix, instance, log, leaseMs: options.keyedLeaseMs, contextOf: (key) => new RequestContext({ actor: definition.name, instance, rootLog: log, sender, stores, key }) })
    : undefined;
  let idle: (() => void) | undefined;
  const guards = new ActorGuards(definition, { transport: options.transport, prefix, log });
  if (metrics) sender.figures = new CallFigures(metrics);
  // A built-in actor that never asks for currentContext() runs its handlers without AsyncLocalStorage.
  const inContext: typeof runInContext = (definition as InternalActor)[WITHOUT_CONTEXT_STORAGE] ? (_ctx, fn) => fn() : runInContext;
  const runners = new Map(
    Object.keys(definition.endpoints).map((name) => [
      name,
      new EndpointRunner({ actor: definition.name, instance, name, endpoint: keyed ? keyed.wrap(name, guards.endpoint(name)) : guards.endpoint(name), log, sender, stores, principals: options.principals, onIdle: () => idle?.(), inContext, metrics: metrics?.endpoint(name, Object.keys(definition.endpoints[name]!.errors ?? {})), tracing }),
    ]),
  );
  const inflight = () => [...runners.values()].reduce((n, r) => n + r.stats.inflight, 0);

  await definition.start?.(lifecycleContext());

  const service: ServedService = await options.transport.serve({
    name: definition.name,
    version: definition.version ?? "0.1.0",
    description: definition.description ?? "",
    metadata: { [ServiceMeta.instance]: String(instance), [ServiceMeta.pid]: String(process.pid), ...(options.node ? { [ServiceMeta.node]: options.node } : {}) },
    endpoints: [...runners].map(([name, runner]) => ({
      name,
      subject: endpointSubject(prefix, definition.name, name),
      metadata: { ...endpointMetadata(definition.endpoints[name]!), ...(keyed ? { [EndpointMeta.keyed]: "true" } : {}) },
      // A keyed request on the plain subject goes to its partition's owner, which alone runs it.
      handle: keyed ? (request) => keyed.forward(name, request) : (request) => runner.handle(request),
    })),
    statsOf: (name) => runners.has(name) ? { ...runners.get(name)!.stats.toJSON(), ...guards.stats(name), circuits: sender.circuits.report(), ...(keyed ? { keyed: keyed.stats() } : {}) } : undefined,
  });
  guards.servedAs(service.id);
  const stopMetrics = metrics && answerMetrics(options.transport, definition.name, metrics, options.metrics === "process");
  // The in-hub store (telemetry.recent): asked by the gateway's Traces routes.
  const stopTraces = tracing?.recent && answerTraces(options.transport, tracing.recent);
  await keyed?.start(service.id, (name, request) => runners.get(name)!.handle(request));
  const direct = options.directSubject;
  const unlistenDirect = direct && !keyed ? [...runners].map(([name, runner]) => options.transport.listen(direct(name), (request) => runner.handle(request))) : [];

  const consumers = await subscribeEvents(definition, options.transport, prefix, log, (event, topic) => {
    const span = tracing && deliverSpan(tracing, event, { actor: definition.name, instance }, topic);
    return new RequestContext({
      actor: definition.name,
      instance,
      traceId: event.header(Header.traceId) ?? span?.traceId,
      span,
      caller: event.header(Header.caller),
      // The same on every delivery of the event: handlers can make their effects idempotent with it.
      idempotencyKey: event.id,
      // After it the delivery counts as lost and is made again: calls made from the handler stop waiting then.
      deadline: event.deadline,
      rootLog: log,
      sender,
      stores,
    });
  }, inContext);

  await definition.serving?.(lifecycleContext());

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    // Events taken but not started go back to the stream for another instance; those running finish.
    const eventsDrained = Promise.all(consumers.map((c) => c.stop(options.drainTimeoutMs ?? 10_000)));
    await service.stop();
    for (const unlisten of unlistenDirect) unlisten();
    await (definition as InternalActor)[ON_DRAIN]?.();
    stopMetrics?.();
    stopTraces?.();
    // Gives the partitions back once their turns are done, so other instances take them at once.
    await keyed?.stop();
    if (inflight() > 0) {
      await new Promise<void>((resolve) => {
        idle = resolve;
        setTimeout(resolve, options.drainTimeoutMs ?? 10_000).unref();
      });
    }
    await eventsDrained;
    await definition.stop?.(lifecycleContext());
    stores.db.close();
    stopTracing?.();
  };

  return {
    name: definition.name,
    serviceId: service.id,
    address: (definition as InternalActor)[SERVED_ADDRESS]?.(),
    inflight,
    stop: () => (stopping ??= stop()),
  };
}
