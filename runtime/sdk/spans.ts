import { toFuseError } from "../errors/index.ts";
import { Header, isW3cTraceId, parseTraceParent, type TraceParent } from "../protocol/index.ts";
import { RPC_SYSTEM_NAME, SpanAttr, type FuseSpan, type SpanAttributes, type Tracing } from "../tracing/index.ts";

/**
 * The spans the SDK makes, one function each, called only when tracing is on. Their attributes
 * name actors, endpoints, topics and SQL text, never an input, payload or bound value: a field an
 * endpoint marks sensitive cannot reach a span.
 */

interface Headers {
  header(name: string): string | undefined;
}

/** The parent a message names (`traceparent`), else the trace its `Fuse-Trace-Id` begins. */
function parentOf(message: Headers): { parent: ReturnType<typeof parseTraceParent>; traceId: string | undefined; attributes: SpanAttributes } {
  const traceId = message.header(Header.traceId);
  const attributes: SpanAttributes = {};
  // An id a caller chose that is no W3C trace id stays findable on the span.
  if (traceId !== undefined && !isW3cTraceId(traceId)) attributes[SpanAttr.traceId] = traceId;
  const parent = parseTraceParent(message.header(Header.traceparent));
  return { parent, traceId: traceId !== undefined && isW3cTraceId(traceId) ? traceId : undefined, attributes };
}

/** The server span of one request to an endpoint: `<actor>.<endpoint>`. */
export function serverSpan(tracing: Tracing, request: Headers, where: { actor: string; name: string; instance: number }): FuseSpan {
  const { parent, traceId, attributes } = parentOf(request);
  attributes[SpanAttr.actor] = where.actor;
  attributes[SpanAttr.endpoint] = where.name;
  attributes[SpanAttr.instance] = where.instance;
  attributes[SpanAttr.rpcSystem] = RPC_SYSTEM_NAME;
  attributes[SpanAttr.rpcService] = where.actor;
  attributes[SpanAttr.rpcMethod] = where.name;
  const caller = request.header(Header.caller);
  if (caller !== undefined) attributes[SpanAttr.caller] = caller;
  return tracing.start({ name: `${where.actor}.${where.name}`, kind: "server", attributes, parent, traceId });
}

/** The client span of a call (`ctx.call`): named after the target, child of the request being handled. */
export function callSpan(tracing: Tracing, scope: { traceId: string; span?: FuseSpan | undefined; parent?: TraceParent | undefined }, caller: string, target: { actor: string; endpoint: string }): FuseSpan {
  const attributes: SpanAttributes = {
    [SpanAttr.actor]: target.actor,
    [SpanAttr.endpoint]: target.endpoint,
    [SpanAttr.caller]: caller,
    [SpanAttr.rpcSystem]: RPC_SYSTEM_NAME,
    [SpanAttr.rpcService]: target.actor,
    [SpanAttr.rpcMethod]: target.endpoint,
  };
  return tracing.start({ name: `${target.actor}.${target.endpoint}`, kind: "client", attributes, parent: scope.span ?? scope.parent, traceId: w3c(scope.traceId) });
}

/** The producer span of an event emitted (or a request sent without a reply). */
export function publishSpan(tracing: Tracing, scope: { traceId: string; span?: FuseSpan | undefined }, actor: string, destination: string, topic?: string): FuseSpan {
  const attributes: SpanAttributes = {
    [SpanAttr.actor]: actor,
    [SpanAttr.messagingSystem]: MESSAGING,
    [SpanAttr.messagingDestination]: destination,
    [SpanAttr.messagingOperation]: "publish",
  };
  if (topic !== undefined) attributes[SpanAttr.topic] = topic;
  return tracing.start({ name: `${destination} publish`, kind: "producer", attributes, parent: scope.span, traceId: w3c(scope.traceId) });
}

/** The consumer span of an event delivered to a subscriber: child of the span that emitted it. */
export function deliverSpan(tracing: Tracing, event: Headers, where: { actor: string; instance: number }, topic: string): FuseSpan {
  const { parent, traceId, attributes } = parentOf(event);
  attributes[SpanAttr.actor] = where.actor;
  attributes[SpanAttr.instance] = where.instance;
  attributes[SpanAttr.topic] = topic;
  attributes[SpanAttr.messagingSystem] = MESSAGING;
  attributes[SpanAttr.messagingDestination] = topic;
  attributes[SpanAttr.messagingOperation] = "process";
  return tracing.start({ name: `${topic} process`, kind: "consumer", attributes, parent, traceId });
}

const OPERATION = /^\s*([A-Za-z]+)/;

/** The client span of one `ctx.db` statement: its SQL text, never its bound values. */
export function statementSpan(tracing: Tracing, sql: string, scope: { traceId: string; span?: FuseSpan | undefined } | undefined, actor: string): FuseSpan {
  const operation = OPERATION.exec(sql)?.[1]?.toUpperCase() ?? "SQL";
  const attributes: SpanAttributes = {
    [SpanAttr.actor]: actor,
    [SpanAttr.dbSystem]: "libsql",
    [SpanAttr.dbOperation]: operation,
    [SpanAttr.dbStatement]: sql.length > 2000 ? `${sql.slice(0, 2000)}…` : sql,
  };
  return tracing.start({ name: `db ${operation}`, kind: "client", attributes, parent: scope?.span, traceId: scope && w3c(scope.traceId) });
}

const MESSAGING = "nats";

function w3c(traceId: string): string | undefined {
  return isW3cTraceId(traceId) ? traceId : undefined;
}

/** Ends a span with what was thrown: its code, and its message for the in-hub store (the one the caller gets). */
export function endFailed(span: FuseSpan, thrown: unknown): void {
  const error = toFuseError(thrown);
  span.end(error.code, error.message);
}
