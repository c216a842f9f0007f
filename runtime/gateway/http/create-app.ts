import { Hono, type Context } from "hono";
import { DASHBOARD_PATH, DEFAULT_ACCESS, ErrorCode } from "../../protocol/index.ts";
import { NotFoundError, toFuseError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import type { BusStatus } from "../../sdk/internal.ts";
import { DASHBOARD_PAGE } from "../dashboard/dashboard-page.ts";
import { CONTRACT_TARGETS } from "../dashboard/contract-targets.ts";
import { DASHBOARD_SCRIPT } from "../dashboard/dashboard-script.ts";
import { TASKS_SCRIPT } from "../dashboard/tasks-script.ts";
import { TIMELINE_SCRIPT } from "../dashboard/timeline-script.ts";
import { SESSION_SCRIPT } from "../dashboard/session-script.ts";
import { DB_SCRIPT, DB_SCRIPT_PATH } from "../dashboard/db-panel.ts";
import { TRACE_SAMPLING_SCRIPT, TRACES_SCRIPT } from "../dashboard/traces-script.ts";
import { WATERFALL_SCRIPT } from "../dashboard/waterfall-script.ts";
import type { PageCache } from "../docs/page-cache.ts";
import type { RouteDiscovery } from "../routes/route-discovery.ts";
import type { EndpointHandlers, GatedHandler } from "./endpoint-handlers.ts";
import { errorResponse, jsonResponse } from "./json-response.ts";
import { mountFileRoutes, type FileRoutesOptions } from "./file-routes.ts";
import { ownMethodsOf } from "./allowed-methods.ts";
import { SCRIPT_HEADERS, pageHeaders } from "./security-headers.ts";
import { mountSessionRoutes, type SessionRoutesOptions } from "../session/session-routes.ts";
import { mountEventRoutes, type EventRoutesOptions } from "../live/event-routes.ts";
import { webHandler } from "../web/web-handler.ts";
import { httpMetrics, mountMetricsRoute } from "./metrics-route.ts";
import { httpTracing } from "./http-tracing.ts";
import { mountTracesRoutes } from "./traces-route.ts";
import type { WebFrontends } from "../web/web-mounts.ts";
import type { MetricsHistory } from "../../sdk/internal.ts";
import { mountTrafficRoutes } from "../traffic/traffic-routes.ts";
import { TRAFFIC_SCRIPT } from "../dashboard/traffic-script.ts";

export interface GatewayAppOptions {
  handlers: EndpointHandlers;
  files: FileRoutesOptions;
  discovery: RouteDiscovery;
  pages: PageCache;
  log: Logger;
  /** The gateway's connection to the bus: not ready while it is down. */
  bus: () => BusStatus;
  /** The dashboard's sign-in routes (`/auth/session`, `/auth/link/<token>`). */
  session?: SessionRoutesOptions;
  /** `GET /events/<topic>` (Server-Sent Events). */
  events?: Omit<EventRoutesOptions, "gate" | "log">;
  /** Frontend folders (`web` of fuse.yaml, or the hub's `public/`): GETs no gateway route takes. */
  web?: WebFrontends;
  /** The dashboard's charts and call graph (`/dashboard/history`, `/dashboard/graph`); none with metrics off. */
  history?: MetricsHistory | undefined;
}

const text = (body: string, type: string, headers: Record<string, string>) => new Response(body, { headers: { "content-type": `${type}; charset=utf-8`, ...headers } });
const page = (html: string) => text(html, "text/html", pageHeaders(html));

function actorInfo(pages: PageCache, c: Context): Response {
  const name = c.req.param("actor");
  const actor = pages.index().actors.find((a) => a.name === name);
  if (!actor) return errorResponse(new NotFoundError(ErrorCode.ACTOR_NOT_FOUND, `no actor ${JSON.stringify(String(name).slice(0, 64))} on this hub`));
  const endpoint = c.req.param("endpoint");
  if (endpoint === undefined) return jsonResponse(JSON.stringify(actor), 200);
  const found = actor.endpoints.find((e) => e.name === endpoint);
  if (!found) return errorResponse(new NotFoundError(ErrorCode.ENDPOINT_NOT_FOUND, `actor "${actor.name}" has no endpoint ${JSON.stringify(endpoint.slice(0, 64))}`));
  return jsonResponse(JSON.stringify(found), 200);
}

/**
 * The gateway's Hono app: endpoint calls, the index, OpenAPI, docs, health, readiness and the
 * dashboard; anything else goes to the endpoints' own routes, and what matches none is a JSON
 * 405 when another method is served on its path, else a JSON 404. Every body the app sends is
 * JSON, except the HTML pages and the dashboard script.
 */
export function createGatewayApp(options: GatewayAppOptions): Hono {
  const { handlers, discovery, pages, log } = options;
  const app = new Hono();
  app.use(httpMetrics());
  app.use(httpTracing());
  app.post("/api/:actor/:endpoint", handlers.api);
  app.post("/api/:actor/:key/:endpoint", handlers.api);
  // What the hub serves is itself for those with a credential (the local admin by default).
  const listing = (handler: GatedHandler) => handlers.gate(DEFAULT_ACCESS, handler);
  app.get("/api", listing(() => jsonResponse(pages.indexJson(), 200)));
  app.get("/api/:actor", listing((c) => actorInfo(pages, c)));
  app.get("/api/:actor/:endpoint", listing((c) => actorInfo(pages, c)));
  app.get("/openapi.json", listing(() => jsonResponse(pages.openapiJson(), 200)));
  app.get("/docs", listing(() => page(pages.docsHtml())));
  mountMetricsRoute(app, listing);
  mountTrafficRoutes(app, listing, options.history);
  mountTracesRoutes(app, handlers.gate);
  app.get("/health", () => jsonResponse(JSON.stringify({ status: "ok" }), 200));
  app.get("/ready", () => {
    const bus = options.bus();
    if (!bus.up) return jsonResponse(JSON.stringify({ ready: false, bus: "down", since: bus.since }), 503);
    const actors = [...discovery.table.actors.values()].filter((a) => a.live).length;
    return jsonResponse(JSON.stringify({ ready: discovery.ready, actors }), discovery.ready ? 200 : 503);
  });
  // The dashboard has a path of its own, so that a frontend may have `/`.
  if (!options.web?.servesRoot) app.get("/", () => new Response(null, { status: 302, headers: { location: DASHBOARD_PATH, "cache-control": "no-cache" } }));
  app.get(DASHBOARD_PATH, () => page(DASHBOARD_PAGE));
  app.get("/dashboard/app.js", () => text(CONTRACT_TARGETS + SESSION_SCRIPT + TRACE_SAMPLING_SCRIPT + DASHBOARD_SCRIPT + TIMELINE_SCRIPT + TASKS_SCRIPT + TRAFFIC_SCRIPT + WATERFALL_SCRIPT + TRACES_SCRIPT, "text/javascript", SCRIPT_HEADERS));
  app.get(DB_SCRIPT_PATH, () => text(DB_SCRIPT, "text/javascript", SCRIPT_HEADERS));
  if (options.session) mountSessionRoutes(app, options.session);
  mountFileRoutes(app, { ...options.files, gate: handlers.gate, log });
  if (options.events) mountEventRoutes(app, { ...options.events, gate: handlers.gate, log });
  const own = ownMethodsOf(app);
  const route = (c: Context) => handlers.route(c, own);
  const web = options.web;
  app.all("*", web?.size ? webHandler({ frontends: web, table: () => discovery.table, refreshOnMiss: () => discovery.refreshOnMiss(), route }) : route);
  app.onError((err) => {
    const error = toFuseError(err);
    log.error({ err, code: error.code }, "request failed");
    return errorResponse(error);
  });
  return app;
}
