import type { DiscoveredService } from "../../sdk/internal.ts";
import { createCoerce, type Coerce } from "./input-coercion.ts";
import { compareSpecificity, compilePath, fits, type PathPattern } from "./path-pattern.ts";
import { actorsFrom, type ActorEntry, type EndpointEntry } from "./route-actors.ts";

export type { ActorEntry, EndpointEntry } from "./route-actors.ts";

/** An endpoint's own HTTP route, mounted by the gateway. */
export interface MountedRoute {
  method: string;
  pattern: PathPattern;
  entry: EndpointEntry;
  coerce: Coerce;
}

/** Two or more endpoints (or an endpoint and the gateway) claiming the same route: none is served. */
export interface RouteConflict {
  method: string;
  path: string;
  /** `actor.endpoint` of every claimant; `gateway` for the gateway's own paths. */
  claimants: string[];
  message: string;
}

/** A declared route the gateway could not mount. */
export interface InvalidRoute {
  target: string;
  method: string;
  path: string;
  message: string;
}

export interface RouteTable {
  actors: Map<string, ActorEntry>;
  /** Mounted routes by method, most specific first. */
  routes: Map<string, MountedRoute[]>;
  conflicts: RouteConflict[];
  invalid: InvalidRoute[];
  /** Changes whenever what the table serves changes (not on every discovery round). */
  signature: string;
}

/** Paths the gateway serves itself; an endpoint route on them is a conflict with `gateway`. */
export function isReservedPath(shape: string): boolean {
  return shape === "/" || shape === "/api" || shape.startsWith("/api/") || ["/openapi.json", "/docs", "/health", "/ready", "/files"].includes(shape) || shape === "/dashboard" || shape.startsWith("/dashboard/") || shape.startsWith("/files/");
}

const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);

export function emptyRouteTable(): RouteTable {
  return { actors: new Map(), routes: new Map(), conflicts: [], invalid: [], signature: "" };
}

function mount(actors: Map<string, ActorEntry>) {
  const claims = new Map<string, { method: string; pattern: PathPattern; entries: EndpointEntry[] }>();
  const invalid: InvalidRoute[] = [];
  for (const actor of actors.values()) {
    for (const entry of actor.endpoints.values()) {
      // An internal endpoint is for the bus only: its route is never mounted.
      if (!entry.http || entry.access === "internal") continue;
      const method = String(entry.http.method).toUpperCase();
      const compiled = compilePath(entry.http.path);
      if (!METHODS.has(method) || !compiled.ok) {
        const message = compiled.ok ? `method ${JSON.stringify(entry.http.method)} is not one of ${[...METHODS].join(", ")}` : compiled.message;
        invalid.push({ target: entry.target, method, path: String(entry.http.path), message });
        continue;
      }
      const key = `${method} ${compiled.pattern.shape}`;
      const claim = claims.get(key) ?? { method, pattern: compiled.pattern, entries: [] };
      claim.entries.push(entry);
      claims.set(key, claim);
    }
  }
  return { claims, invalid };
}

/**
 * Builds the table from one discovery round and the table before it. Pure: the discovery
 * loop owns the timing. Instances of one actor share its routes; an offline actor's routes
 * still lead to it (so callers get 503) unless a live actor claims the same route; two live
 * claimants are a conflict, and neither is served; so is a route on the gateway's own paths or
 * under a frontend's mount (`claimOf`).
 */
export function buildRouteTable(services: DiscoveredService[], previous: RouteTable = emptyRouteTable(), claimOf: (shape: string) => string | undefined = () => undefined): RouteTable {
  const actors = actorsFrom(services, previous.actors);
  const { claims, invalid } = mount(actors);
  const routes = new Map<string, MountedRoute[]>();
  const conflicts: RouteConflict[] = [];
  for (const { method, pattern, entries } of claims.values()) {
    const live = entries.filter((e) => actors.get(e.actor)!.live).sort((a, b) => a.target.localeCompare(b.target));
    const serving = live.length ? live : entries.sort((a, b) => a.target.localeCompare(b.target));
    const path = serving[0]!.http!.path;
    // A frontend serves GET (and HEAD) only: a POST route under its mount is no conflict.
    const other = isReservedPath(pattern.shape) ? "gateway" : method === "GET" ? claimOf(pattern.shape) : undefined;
    if (other || serving.length > 1) {
      const claimants = [...(other ? [other] : []), ...serving.map((e) => e.target)];
      const message = `route ${method} ${path} is claimed by ${claimants.map((c) => `"${c}"`).join(" and ")}; it is not served until only one claims it`;
      conflicts.push({ method, path, claimants, message });
      continue;
    }
    const entry = serving[0]!;
    const list = routes.get(method) ?? [];
    list.push({ method, pattern, entry, coerce: createCoerce(entry.input) });
    routes.set(method, list);
  }
  for (const list of routes.values()) list.sort((a, b) => compareSpecificity(a.pattern, b.pattern));
  return { actors, routes, conflicts, invalid, signature: signatureOf(actors, conflicts, invalid) };
}

function signatureOf(actors: Map<string, ActorEntry>, conflicts: RouteConflict[], invalid: InvalidRoute[]): string {
  const parts = [...actors.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((a) => {
      const endpoints = [...a.endpoints.values()].map((e) => `${e.endpoint}:${e.http ? `${e.http.method} ${e.http.path}` : ""}:${JSON.stringify(e.input)}:${e.errors ? JSON.stringify(e.errors) : ""}:${e.access ? JSON.stringify(e.access) : ""}`);
      return `${a.name}|${a.live}|${a.instances}|${JSON.stringify(Object.entries(a.nodes ?? {}).sort())}|${endpoints.join(",")}`;
    });
  return JSON.stringify([parts, conflicts.map((c) => c.message), invalid.map((i) => i.message)]);
}

/** The mounted route for a request, with the raw segments it matched. */
export function matchRoute(table: RouteTable, method: string, segments: string[]): MountedRoute | undefined {
  const list = table.routes.get(method);
  if (!list) return undefined;
  for (const route of list) if (fits(route.pattern, segments)) return route;
  return undefined;
}

/** The conflict a request would have hit, for a clear 409 instead of a 404. */
export function matchConflict(table: RouteTable, method: string, segments: string[]): RouteConflict | undefined {
  for (const conflict of table.conflicts) {
    if (conflict.method !== method) continue;
    const compiled = compilePath(conflict.path);
    if (compiled.ok && fits(compiled.pattern, segments)) return conflict;
  }
  return undefined;
}
