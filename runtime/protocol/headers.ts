/** Header names of the public wire contract. No other file spells them. */
export const Header = {
  traceId: "Fuse-Trace-Id",
  deadline: "Fuse-Deadline",
  caller: "Fuse-Caller",
  idempotencyKey: "Fuse-Idempotency-Key",
  /** On a request to a keyed actor: the key (the object) it is for; see keyed.ts. */
  key: "Fuse-Key",
  /**
   * On a request: asks the instance that takes it for a receipt. On an empty message to the
   * request's reply subject, before the reply: the receipt, naming the instance (its service id).
   */
  receipt: "Fuse-Receipt",
  /**
   * On an error reply: "1" when the instance refused the request before any handler ran (a
   * keyed instance that no longer owns the key), so the caller may send it again. Only the
   * refusing instance sets it: an error a handler throws, even one it got from a call of its
   * own that carried this header, never does, since that handler ran.
   */
  notRun: "Fuse-Not-Run",
  /** Set by the NATS micro-service API on error replies: an HTTP-like status. */
  serviceErrorCode: "Nats-Service-Error-Code",
  /** Set by the NATS micro-service API on error replies: the message. */
  serviceError: "Nats-Service-Error",
  /** Set by the gateway on requests that came over HTTP: the HTTP method. */
  httpMethod: "Fuse-Http-Method",
  /** Set by the gateway on requests that came over HTTP: the request path (without query). */
  httpPath: "Fuse-Http-Path",
  /**
   * Set by the gateway on requests that came over HTTP: the client's address as the gateway's
   * socket saw it; logged with control actions to say who asked.
   */
  clientAddress: "Fuse-Client-Address",
  /**
   * On a reply to an HTTP request: the cookies to set, as a JSON array of `Set-Cookie` values
   * (NATS header values are single strings; a JSON array keeps several cookies in one).
   */
  httpSetCookie: "Fuse-Http-Set-Cookie",
  /**
   * On a request made for an outside caller: a short-lived token naming the principal
   * (`{ id, roles, via }`), signed by the gateway with a key only the hub's processes hold and
   * checked by the SDK before the handler runs; carried onward by every call made from it.
   */
  principal: "Fuse-Principal",
  /**
   * On an HTTP request authenticated by the dashboard's session cookie and not a GET or HEAD:
   * the session's CSRF token, which only the gateway's own pages can read (`GET /auth/session`).
   */
  csrf: "X-Fuse-Csrf",
  /**
   * W3C trace context (`00-<trace id>-<parent span id>-<flags>`): on HTTP requests the gateway
   * honours, and on bus requests and events when tracing is on, naming the span that sent them.
   * Its trace id is the `Fuse-Trace-Id` whenever that is a W3C trace id (ids Fuse makes are).
   */
  traceparent: "traceparent",
} as const;

/**
 * Prefix of the headers that carry an HTTP header across the bus, in both directions: an
 * allow-listed request header `Accept-Language` travels as `Fuse-Http-Header-accept-language`
 * (the HTTP name in lower case), and a reply header set by a handler comes back the same way.
 */
export const HTTP_HEADER_PREFIX = "Fuse-Http-Header-";

/** The bus header that carries the HTTP header `name` (any case). */
export function httpHeader(name: string): string {
  return HTTP_HEADER_PREFIX + name.toLowerCase();
}

export type HeaderName = (typeof Header)[keyof typeof Header];
