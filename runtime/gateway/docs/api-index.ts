import type { JsonSchema } from "../../sdk/internal.ts";
import type { DeclaredError, HttpRoute } from "../../sdk/internal.ts";
import type { InvalidRoute, RouteConflict, RouteTable } from "../routes/route-table.ts";
import { formatAccess, type Access } from "../../protocol/index.ts";

export interface IndexEndpoint {
  name: string;
  /** `actor.endpoint`, the name on the bus and in `ctx.call`. */
  target: string;
  description?: string;
  /** Always served: `POST /api/<actor>/<endpoint>`. */
  api: { method: "POST"; path: string };
  /** The endpoint's own route, when it declared one. */
  http?: HttpRoute;
  /** Whether the own route is served (false when it conflicts or is invalid). */
  mounted?: boolean;
  input: JsonSchema;
  output: JsonSchema;
  /** The business errors the endpoint declares, by code: status and meaning. */
  errors?: Record<string, DeclaredError>;
  /** Who may call it: `public`, `authenticated` or `roles:a,b` (internal endpoints are not listed). */
  access?: string;
}

export interface IndexActor {
  name: string;
  description: string;
  version: string;
  live: boolean;
  instances: number;
  /** On a cluster: live instances per node, e.g. `{"a":2,"b":1}`. */
  nodes?: Record<string, number>;
  endpoints: IndexEndpoint[];
}

/** `GET /api`: every actor and endpoint with schemas and routes, and the route problems. */
export interface ApiIndex {
  actors: IndexActor[];
  conflicts: RouteConflict[];
  invalid: InvalidRoute[];
}

const sortedNodes = (nodes: Record<string, number>) => Object.fromEntries(Object.entries(nodes).sort(([a], [b]) => a.localeCompare(b)));
const routed = (access: Access | undefined) => access !== "internal";

/**
 * The index of a route table; computed once per table, not per request. Internal endpoints
 * are left out (an actor with no other is listed with none), so OpenAPI, `/docs` and the
 * dashboard, all made from it, never show them.
 */
export function buildApiIndex(table: RouteTable): ApiIndex {
  const mounted = new Set<string>();
  for (const list of table.routes.values()) for (const route of list) mounted.add(route.entry.target);
  const actors = [...table.actors.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((a) => ({
      name: a.name,
      description: a.description,
      version: a.version,
      live: a.live,
      instances: a.instances,
      ...(a.nodes && a.live ? { nodes: sortedNodes(a.nodes) } : {}),
      endpoints: [...a.endpoints.values()]
        .filter((e) => routed(e.access))
        .sort((x, y) => x.endpoint.localeCompare(y.endpoint))
        .map((e) => {
          const item: IndexEndpoint = { name: e.endpoint, target: e.target, api: { method: "POST", path: `/api/${e.actor}/${e.endpoint}` }, input: e.input, output: e.output, access: formatAccess(e.access ?? "authenticated") };
          if (e.description) item.description = e.description;
          if (e.errors) item.errors = e.errors;
          if (e.http) {
            item.http = e.http;
            item.mounted = mounted.has(e.target);
          }
          return item;
        }),
    }));
  return { actors, conflicts: table.conflicts, invalid: table.invalid };
}
