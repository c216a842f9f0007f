import type { Context, Hono, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { ErrorCode } from "../../protocol/index.ts";
import { FuseError } from "../../errors/index.ts";
import { processMetrics, scrapeMetrics } from "../../sdk/internal.ts";
import { errorResponse } from "./json-response.ts";
import type { GatedHandler } from "./endpoint-handlers.ts";

/** The route label of a request no route took (a 404, a 405): one value, whatever the path. */
const UNMATCHED = "unmatched";

/**
 * Counts every HTTP request by the route pattern that took it (`/api/:actor/:endpoint`, never
 * the path sent), method and status, with its latency, in the gateway process's registry.
 * Nothing when metrics are off.
 */
export function httpMetrics(): MiddlewareHandler {
  return async (c, next) => {
    const metrics = processMetrics();
    if (!metrics) return next();
    const started = performance.now();
    await next();
    // After next() the current route is the last handler that ran (Hono's routeIndex); a
    // catch-all matches every path, so this middleware's own "/*" or a "*" means no route took it.
    const route = routePath(c);
    metrics.http(route === "/*" || route === "*" ? UNMATCHED : route, c.req.method, c.res.status, (performance.now() - started) / 1000);
  };
}

/**
 * `GET /metrics`: every process's figures, gathered over the bus and merged, in Prometheus's
 * text format; behind the same gate as the API listing. 404 when metrics are off.
 */
export function mountMetricsRoute(app: Hono, gate: (handler: GatedHandler) => (c: Context) => Promise<Response>): void {
  app.get(
    "/metrics",
    gate(async () => {
      const scraped = await scrapeMetrics();
      if (!scraped) return errorResponse(new FuseError(ErrorCode.NOT_FOUND, "metrics are off on this hub (metrics.enabled: false)"));
      return new Response(scraped.text, { headers: { "content-type": scraped.contentType, "cache-control": "no-store" } });
    }),
  );
}
