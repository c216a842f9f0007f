/**
 * The web side of the contract: the paths the gateway serves itself (no frontend folder and no
 * endpoint route may claim them), where the dashboard lives, the `public/` folder a hub serves
 * by convention, and the bus headers of a reply that is not JSON. Pure constants.
 */

/** The dashboard's page; `/` redirects here when no frontend is served at `/`. */
export const DASHBOARD_PATH = "/dashboard";

/** A hub folder's frontend by convention: served at `/` unless `web` in fuse.yaml mounts another there. */
export const PUBLIC_DIR = "public";

/**
 * Top path segments the gateway serves itself: the API, OpenAPI, docs, health, files, the
 * dashboard, sign-in, live events and metrics. A `web` mount on one of them is refused.
 */
export const GATEWAY_OWN_PREFIXES = ["/api", "/openapi.json", "/docs", "/health", "/ready", "/files", "/dashboard", "/auth", "/events", "/metrics"] as const;

/** Whether `path` (a mount such as `/admin`) is, or lies under, one of the gateway's own paths. */
export function isGatewayOwnPath(path: string): boolean {
  return GATEWAY_OWN_PREFIXES.some((own) => path === own || path.startsWith(`${own}/`));
}

/**
 * Headers of a reply whose body is not JSON (a handler returned a `Response`): the body bytes
 * travel as they are, and these say what they are. A reply without `Fuse-Body-Type` is JSON.
 */
export const BodyHeader = {
  /** The body's media type, e.g. `text/html; charset=utf-8`. Its presence marks a non-JSON reply. */
  type: "Fuse-Body-Type",
  /** The HTTP status the handler chose, when not 200 (a redirect's 302, say). */
  status: "Fuse-Body-Status",
  /**
   * Set when the body was too large for the bus: the message body is empty and the bytes are
   * in the object store, at `<bucket>/<name>` (bucket `<prefix>-bodies`), to be read once and
   * deleted by whoever reads them.
   */
  object: "Fuse-Body-Object",
  /** The body's size in bytes, with `Fuse-Body-Object`. */
  size: "Fuse-Body-Size",
} as const;

/** The object store bucket that holds reply bodies too large for the bus. */
export function replyBodiesBucket(prefix: string): string {
  return `${prefix}-bodies`;
}

/**
 * The key of an endpoint's published output JSON Schema (`fuse.output`) that marks a non-JSON
 * output: `{ "x-fuse-body": { "types": ["text/html"], "redirect": false } }`.
 */
export const RAW_BODY_SCHEMA_KEY = "x-fuse-body";

/** What `x-fuse-body` holds: the media types the endpoint answers with, and whether it may redirect. */
export interface RawBodyDeclaration {
  types: string[];
  redirect: boolean;
}
