import type { Context } from "hono";
import { ErrorCode } from "../../protocol/index.ts";
import { FuseError } from "../../errors/index.ts";
import { errorResponse } from "../http/json-response.ts";
import { headOf, type RequestHead } from "../http/request-head.ts";
import { splitPath } from "../routes/path-pattern.ts";
import { matchConflict, matchRoute, type RouteTable } from "../routes/route-table.ts";
import { parseRequestPath } from "./request-path.ts";
import { staticResponse } from "./static-response.ts";
import type { MountMatch, WebFrontends } from "./web-mounts.ts";

export interface WebHandlerOptions {
  frontends: WebFrontends;
  /** The route table as last discovered, and a fresh one after a miss. */
  table(): RouteTable;
  refreshOnMiss(): Promise<RouteTable>;
  /** What answers anything that is no file: the endpoints' routes, 404, 405. */
  route(c: Context): Promise<Response>;
}

const routed = (table: RouteTable, segments: string[]) => matchRoute(table, "GET", segments) ?? matchConflict(table, "GET", segments);

/** Whether a request is a page navigation that an SPA answers with its `index.html` (not a missing script or image). */
function wantsPage(head: RequestHead, segments: string[]): boolean {
  const last = segments[segments.length - 1] ?? "";
  return !last.includes(".") && (head.header("accept") ?? "").includes("text/html");
}

/**
 * The gateway's catch-all with frontends: a GET or HEAD under a mount gets its file. Under
 * `/`, endpoints' routes come first (the frontend fills in the rest); under any other mount,
 * the mount owns its paths and a route there is a conflict (409). A directory gets its
 * `index.html` (redirected to its `/` form first, so relative links resolve); in an SPA, a
 * page navigation that matches no file and no route gets the mount's `index.html`. What is
 * none of these goes to `route`: an endpoint's route, else the JSON 404 or 405.
 */
export function webHandler(options: WebHandlerOptions): (c: Context) => Promise<Response> {
  const { frontends } = options;
  return async (c) => {
    const head = headOf(c);
    if (head.method !== "GET" && head.method !== "HEAD") return options.route(c);
    const match = frontends.match(head.rawPath);
    if (!match) return options.route(c);
    const segments = splitPath(head.rawPath);
    const table = options.table();
    if (match.mount.path === "/" ? routed(table, segments) : matchConflict(table, "GET", segments)) return options.route(c);
    const path = parseRequestPath(match.rest);
    if (!path.ok) {
      return errorResponse(new FuseError(ErrorCode.BAD_REQUEST, `path ${JSON.stringify(head.rawPath.slice(0, 200))} is not served: ${path.reason}`, { details: { path: head.rawPath.slice(0, 200) } }));
    }
    const found = await match.folder.lookup(path.segments);
    if (found.kind === "file") return staticResponse(found.entry, head);
    if (found.kind === "directory") {
      if (!path.trailingSlash) return redirectToFolder(head);
      const index = await match.folder.lookup([...path.segments, "index.html"]);
      if (index.kind === "file") return staticResponse(index.entry, head);
    }
    if (match.mount.spa && wantsPage(head, segments)) return spaFallback(options, match, head, c, segments);
    return options.route(c);
  };
}

function redirectToFolder(head: RequestHead): Response {
  const location = `${head.rawPath}/${head.rawQuery ? `?${head.rawQuery}` : ""}`;
  return new Response(null, { status: 301, headers: { location, "cache-control": "no-cache" } });
}

async function spaFallback(options: WebHandlerOptions, match: MountMatch, head: RequestHead, c: Context, segments: string[]): Promise<Response> {
  // An endpoint's route that just came up wins over the app's own routing under `/`.
  if (match.mount.path === "/" && routed(await options.refreshOnMiss(), segments)) return options.route(c);
  const index = await match.folder.lookup(["index.html"]);
  if (index.kind !== "file") return options.route(c);
  return staticResponse(index.entry, head, "no-cache");
}
