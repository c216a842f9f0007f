import type { Hono } from "hono";
import { ErrorCode } from "../../protocol/index.ts";
import { FuseError } from "../../errors/index.ts";
import { fits } from "../routes/path-pattern.ts";
import type { RouteTable } from "../routes/route-table.ts";

/** The methods of the gateway's own routes whose path fits a raw request path. */
export type OwnMethods = (rawPath: string) => string[];

function patternOf(path: string): RegExp {
  const parts = path.split("/").map((part) => (part === "*" ? ".*" : part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  return new RegExp(`^${parts.join("/")}$`);
}

/**
 * The gateway's own routes as the app registered them (the catch-all left out), read once on
 * first use so that the list of routes lives only in the app itself.
 */
export function ownMethodsOf(app: Hono): OwnMethods {
  let routes: { method: string; pattern: RegExp }[] | undefined;
  return (rawPath) => {
    routes ??= app.routes.filter((r) => r.method !== "ALL").map((r) => ({ method: r.method, pattern: patternOf(r.path) }));
    return routes.filter((r) => r.pattern.test(rawPath)).map((r) => r.method);
  };
}

/** Every method some route serves on this path, endpoints' routes and the gateway's own; HEAD wherever GET is. */
export function allowedMethods(table: RouteTable, segments: string[], own: string[]): string[] {
  const methods = new Set(own);
  for (const [method, routes] of table.routes) if (routes.some((r) => fits(r.pattern, segments))) methods.add(method);
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}

/** METHOD_NOT_ALLOWED (405) for a path that exists, naming the methods it does serve; they go in `Allow` too. */
export function methodNotAllowed(method: string, rawPath: string, allowed: string[]): FuseError {
  const path = rawPath.slice(0, 200);
  return new FuseError(ErrorCode.METHOD_NOT_ALLOWED, `method ${method} is not served on ${path}; it serves ${allowed.join(", ")}`, {
    details: { method, path, allowed },
  });
}

/** The `Allow` header of a METHOD_NOT_ALLOWED error. */
export function allowHeaderOf(error: FuseError): Record<string, string> | undefined {
  if (error.code !== ErrorCode.METHOD_NOT_ALLOWED) return undefined;
  const allowed = (error.details as { allowed?: string[] } | undefined)?.allowed;
  return allowed ? { allow: allowed.join(", ") } : undefined;
}
