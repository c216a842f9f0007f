import type { Context, Hono } from "hono";
import { DASHBOARD_PATH, ErrorCode } from "../../protocol/index.ts";
import { FuseError, NotFoundError, ValidationError } from "../../errors/index.ts";
import type { MetricsHistory } from "../../sdk/internal.ts";
import { errorResponse, jsonResponse } from "../http/json-response.ts";
import type { GatedHandler } from "../http/endpoint-handlers.ts";

/** The dashboard's traffic routes: its history charts and its call graph, both JSON. */
export const TrafficRoute = {
  history: `${DASHBOARD_PATH}/history`,
  graph: `${DASHBOARD_PATH}/graph`,
} as const;

const NO_HISTORY = "the metrics history is off on this hub (metrics.enabled: false or metrics.historyIntervalMs: 0)";
const quoted = (name: string) => JSON.stringify(name.slice(0, 64));

/**
 * `GET /dashboard/history` (every actor), `?actor=<a>` (one), `?actor=<a>&endpoint=<e>` (that
 * endpoint's requests with the actor's instances): always `{ intervalMs, windowMs, from, to,
 * actors: [...] }`. `GET /dashboard/graph`: the call graph of the last minute. Behind the same
 * gate as `/metrics`; 404 when the gateway keeps no history.
 */
export function mountTrafficRoutes(app: Hono, gate: (handler: GatedHandler) => (c: Context) => Promise<Response>, history: MetricsHistory | undefined): void {
  const answer = (body: (history: MetricsHistory) => unknown) => () => {
    if (!history) return errorResponse(new FuseError(ErrorCode.NOT_FOUND, NO_HISTORY));
    try {
      return jsonResponse(JSON.stringify(body(history)), 200, undefined, { "cache-control": "no-store" });
    } catch (error) {
      // A refused query is the client's mistake: answered, not logged as a failure of the gateway.
      if (error instanceof FuseError) return errorResponse(error);
      throw error;
    }
  };
  app.get(TrafficRoute.history, gate((c) => answer((h) => historyOf(h, c.req.query("actor"), c.req.query("endpoint")))()));
  app.get(TrafficRoute.graph, gate(answer((h) => h.graph())));
}

function historyOf(history: MetricsHistory, actor: string | undefined, endpoint: string | undefined): unknown {
  if (!actor) {
    if (endpoint) throw new ValidationError("endpoint: name its actor too (?actor=<name>&endpoint=<name>)", { code: ErrorCode.BAD_REQUEST });
    return history.overview();
  }
  const found = history.actor(actor);
  if (!found) throw new NotFoundError(ErrorCode.NOT_FOUND, `no figures of an actor ${quoted(actor)} in the metrics history`);
  if (!endpoint) return { ...history.span(), actors: [found] };
  const traffic = history.endpoint(actor, endpoint);
  if (!traffic) throw new NotFoundError(ErrorCode.NOT_FOUND, `no figures of an endpoint ${quoted(endpoint)} of actor ${quoted(actor)} in the metrics history`);
  return { ...history.span(), actors: [{ ...found, endpoint, traffic }] };
}
