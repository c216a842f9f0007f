import type { Context } from "hono";
import { ErrorCode, HTTP_IDEMPOTENCY_KEY, Header, isValidName } from "../../protocol/index.ts";
import { FuseError, NotFoundError, UnavailableError, ValidationError, toFuseError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import type { GatewayOptions } from "../gateway-options.ts";
import type { RouteDiscovery } from "../routes/route-discovery.ts";
import { notKeyedRoute } from "./keyed-route.ts";
import { matchConflict, matchRoute, type EndpointEntry, type RouteTable } from "../routes/route-table.ts";
import { splitPath } from "../routes/path-pattern.ts";
import { allowHeaderOf, allowedMethods, methodNotAllowed, type OwnMethods } from "./allowed-methods.ts";
import { bodyTooLargeForBus, relayHeaders } from "./bus-limit.ts";
import { errorResponse } from "./json-response.ts";
import { relayRetryingLoss, type Relay } from "./retry-after-loss.ts";
import type { LossWatch } from "./loss-watch.ts";
import { busHeaders, headerPairs, replyResponse } from "./reply-mapping.ts";
import { headOf, type RequestHead } from "./request-head.ts";
import { checkContentType, parseJsonBody, routeInput } from "./request-input.ts";
import { deadlineOf, traceIdOf } from "./trace.ts";
import { checkHttpAccess, principalHeaders, type AccessGate } from "./access-gate.ts";
import type { StoredBodies } from "./raw-response.ts";
import type { Access, Principal } from "../../protocol/index.ts";
import { processTracing } from "../../sdk/internal.ts";

/** A gateway-own route's handler, run once the request passed authentication and access. */
export type GatedHandler = (c: Context, principal: Principal | undefined, head: RequestHead) => Response | Promise<Response>;

export interface EndpointHandlersOptions {
  relay: Relay;
  /** The gateway actor's name, which the relay sends as `Fuse-Caller`. */
  caller: string;
  discovery: RouteDiscovery;
  options: GatewayOptions;
  log: Logger;
  /** Authentication and the principal's token: every request passes through it before it is relayed. */
  access: AccessGate;
  /** Reads reply bodies too large for the bus from the object store (replies of `rawOutput` endpoints). */
  bodies?: StoredBodies;
  /** The requests in flight that a death notice sends again (retries at the edge without receipts). */
  losses?: LossWatch;
}

/** The key segment of a keyed route, decoded; a malformed escape is a 400. */
function decodePathKey(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ValidationError(`the key ${JSON.stringify(segment.slice(0, 64))} in the path is not valid URL encoding`, { code: ErrorCode.BAD_REQUEST });
  }
}

const quote = (name: string) => JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
const NO_OWN_ROUTES: OwnMethods = () => [];
const IDEMPOTENCY_KEY = HTTP_IDEMPOTENCY_KEY.toLowerCase();

/**
 * The per-request path: `POST /api/<actor>/<endpoint>` and the endpoints' own routes. Reads the
 * route table (never discovers unless a name is unknown), passes the body bytes through,
 * and maps the reply; every failure becomes a JSON error with the trace id.
 */
export class EndpointHandlers {
  private inflight = 0;
  private readonly requestHeaders;
  private readonly responseHeaders;

  constructor(private readonly deps: EndpointHandlersOptions) {
    this.requestHeaders = headerPairs(deps.options.requestHeaders);
    this.responseHeaders = headerPairs(deps.options.responseHeaders);
  }

  /** `POST /api/<actor>/<endpoint>` with a JSON body. */
  api = async (c: Context): Promise<Response> => {
    const head = headOf(c);
    const traceId = traceIdOf(head);
    try {
      const principal = await this.deps.access.authenticate(head);
      const segments = splitPath(head.rawPath);
      // `POST /api/<actor>/<key>/<endpoint>`: a keyed actor's endpoint, for one key (URL-encoded).
      const key = segments.length === 4 ? decodePathKey(segments[2]!) : undefined;
      const [actor = "", endpoint = ""] = key === undefined ? segments.slice(1, 3) : [segments[1], segments[3]];
      const known = this.deps.discovery.table.actors.get(actor)?.endpoints.get(endpoint);
      // An internal endpoint is not there for HTTP: it is looked up as a missing one would be.
      const entry = known && known.access !== "internal" ? known : await this.lookupAfterMiss(actor, endpoint);
      checkHttpAccess(entry.target, entry.access, principal);
      if (key !== undefined && !entry.keyed) throw notKeyedRoute(entry);
      const body = await head.body(this.deps.options.bodyLimitBytes);
      checkContentType(head, body.length);
      parseJsonBody(body);
      return await this.forward(entry, body, head, traceId, principal, key);
    } catch (error) {
      return this.fail(error, traceId, head);
    }
  };

  /**
   * Any other request: an endpoint's own route, a route conflict (409), a method the path does
   * not serve (405, `own` gives the gateway's own routes on it), or a JSON 404.
   */
  route = async (c: Context, own: OwnMethods = NO_OWN_ROUTES): Promise<Response> => {
    const head = headOf(c);
    const traceId = traceIdOf(head);
    try {
      const principal = await this.deps.access.authenticate(head);
      const segments = splitPath(head.rawPath);
      const method = head.method === "HEAD" ? "GET" : head.method;
      const ownMethods = own(head.rawPath);
      // Endpoints never serve the gateway's own paths (such a claim is a conflict): nothing new to discover.
      const route = this.match(this.deps.discovery.table, method, segments) ?? (ownMethods.length ? undefined : this.match(await this.deps.discovery.refreshOnMiss(), method, segments));
      if (!route) throw this.noRoute(head, segments, ownMethods);
      const span = processTracing()?.active();
      if (span) span.route = route.entry.http?.path;
      checkHttpAccess(`${head.method} ${route.entry.http?.path ?? route.entry.target}`, route.entry.access, principal);
      const hasBody = method !== "GET" && method !== "DELETE";
      const body = hasBody ? await head.body(this.deps.options.bodyLimitBytes) : new Uint8Array(0);
      checkContentType(head, body.length);
      return await this.forward(route.entry, routeInput(route, segments, head.rawQuery, body), head, traceId, principal);
    } catch (error) {
      return this.fail(error, traceId, head);
    }
  };

  /**
   * Wraps one of the gateway's own routes (the index, OpenAPI, docs, files) in the same
   * pipeline as endpoints: authenticate, check `access`, then `handler`; a refusal is the JSON error.
   */
  gate = (access: Access, handler: GatedHandler) => async (c: Context): Promise<Response> => {
    const head = headOf(c);
    const traceId = traceIdOf(head);
    try {
      const principal = await this.deps.access.authenticate(head);
      checkHttpAccess(`${head.method} ${head.rawPath.slice(0, 200)}`, access, principal);
      return await handler(c, principal, head);
    } catch (error) {
      return this.fail(error, traceId, head);
    }
  };

  private match(table: RouteTable, method: string, segments: string[]) {
    const route = matchRoute(table, method, segments);
    if (route) return route;
    const conflict = matchConflict(table, method, segments);
    if (conflict) throw new FuseError(ErrorCode.CONFLICT, conflict.message, { details: { claimants: conflict.claimants } });
    return undefined;
  }

  private noRoute(head: RequestHead, segments: string[], own: string[]): FuseError {
    const allowed = allowedMethods(this.deps.discovery.table, segments, own);
    if (allowed.length) return methodNotAllowed(head.method, head.rawPath, allowed);
    return new NotFoundError(ErrorCode.NOT_FOUND, `no route ${head.method} ${head.rawPath.slice(0, 200)}; GET /api lists the routes of this hub`);
  }

  private async forward(entry: EndpointEntry, body: Uint8Array | string, head: RequestHead, traceId: string, principal: Principal | undefined, key?: string): Promise<Response> {
    if (this.inflight >= this.deps.options.maxInflight) {
      throw new UnavailableError(`the gateway has ${this.inflight} requests in flight, its limit; retry shortly`);
    }
    this.inflight++;
    const options = {
      traceId,
      deadline: deadlineOf(head, this.deps.options.defaultTimeoutMs, this.deps.options.maxTimeoutMs),
      headers: principalHeaders(this.deps.access, principal, head.address, busHeaders(head, this.requestHeaders)),
      key,
    };
    const idempotencyKey = head.header(IDEMPOTENCY_KEY);
    if (idempotencyKey !== undefined) options.headers[Header.idempotencyKey] = idempotencyKey;
    // Tracing on: the request's HTTP span is the parent of the endpoint's.
    const span = processTracing()?.active();
    if (span) options.headers[Header.traceparent] = span.traceparent();
    try {
      const safety = { method: head.method, idempotencyKey: idempotencyKey !== undefined };
      const reply = await relayRetryingLoss(this.deps.relay, entry, body, options, safety, this.deps.losses);
      return replyResponse(reply, traceId, this.responseHeaders, this.deps.bodies);
    } catch (error) {
      throw bodyTooLargeForBus(error, entry.target, relayHeaders(options, this.deps.caller));
    } finally {
      this.inflight--;
    }
  }

  private async lookupAfterMiss(actor: string, endpoint: string): Promise<EndpointEntry> {
    if (!isValidName(actor)) throw new NotFoundError(ErrorCode.ACTOR_NOT_FOUND, `no actor ${quote(actor)} on this hub`);
    let known = this.deps.discovery.table.actors.get(actor);
    if ((!known?.endpoints.has(endpoint) || known.endpoints.get(endpoint)!.access === "internal") && isValidName(endpoint)) known = (await this.deps.discovery.refreshOnMiss(actor)).actors.get(actor);
    if (!known) throw new NotFoundError(ErrorCode.ACTOR_NOT_FOUND, `no actor ${quote(actor)} on this hub`);
    const entry = known.endpoints.get(endpoint);
    if (!entry || entry.access === "internal") {
      const routed = [...known.endpoints.values()].filter((e) => e.access !== "internal").map((e) => e.endpoint);
      throw new NotFoundError(ErrorCode.ENDPOINT_NOT_FOUND, `actor "${actor}" has no endpoint ${quote(endpoint)}`, { details: { endpoints: routed } });
    }
    return entry;
  }

  private fail(thrown: unknown, traceId: string, head: RequestHead): Response {
    const error = toFuseError(thrown);
    if (!(thrown instanceof FuseError)) this.deps.log.error({ err: thrown, code: error.code, traceId }, "request failed");
    else if (this.deps.log.isLevelEnabled("debug")) this.deps.log.debug({ code: error.code, traceId, path: head.rawPath.slice(0, 200) }, "request refused");
    // An unread upload is cut short rather than read to its end.
    const close = error.code === ErrorCode.PAYLOAD_TOO_LARGE ? { connection: "close" } : undefined;
    return errorResponse(error, traceId, close ?? allowHeaderOf(error));
  }
}
