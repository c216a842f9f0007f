import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { Header, isW3cTraceId, parseTraceParent } from "../../protocol/index.ts";
import { processTracing, SpanAttr } from "../../sdk/internal.ts";
import { headOf } from "./request-head.ts";
import { traceIdOf } from "./trace.ts";

const TRACEPARENT = Header.traceparent.toLowerCase();

/**
 * An OpenTelemetry server span per HTTP request, named by its method and route pattern (never
 * the path sent), child of the client's `traceparent` when it names the request's trace. It is
 * the active span while the request is handled, so the relay makes it the parent of the
 * endpoint's span. Nothing when tracing is off.
 */
export function httpTracing(): MiddlewareHandler {
  return async (c, next) => {
    const tracing = processTracing();
    if (!tracing) return next();
    const head = headOf(c);
    const traceId = traceIdOf(head);
    const given = parseTraceParent(head.header(TRACEPARENT));
    const w3c = isW3cTraceId(traceId);
    const span = tracing.start({
      name: head.method,
      kind: "server",
      // A Fuse-Trace-Id of another trace than the traceparent's wins: the request is then a trace of its own.
      parent: given?.traceId === traceId ? given : undefined,
      traceId: w3c ? traceId : undefined,
      attributes: {
        [SpanAttr.actor]: tracing.service,
        [SpanAttr.instance]: tracing.instance,
        [SpanAttr.httpMethod]: head.method,
        ...(w3c ? {} : { [SpanAttr.traceId]: traceId }),
      },
    });
    try {
      await tracing.withActive(span, next);
    } finally {
      // The catch-all serves the endpoints' own routes: the handler names the one it matched.
      const matched = routePath(c);
      const route = matched === "/*" || matched === "*" ? (span.route ?? "unmatched") : matched;
      const status = c.res.status;
      span.rename(`${head.method} ${route}`);
      span.set(SpanAttr.httpRoute, route);
      span.set(SpanAttr.httpStatus, status);
      if (status >= 500) span.fail(`HTTP ${status}`);
      span.end();
    }
  };
}
