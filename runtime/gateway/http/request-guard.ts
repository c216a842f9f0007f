import type { IncomingHttpHeaders } from "node:http";
import os from "node:os";
import { DASHBOARD_PATH, ErrorCode } from "../../protocol/index.ts";
import { FuseError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";

export interface RequestGuardOptions {
  /** The address the gateway was told to listen on (`gateway.host`). */
  host: string;
  /** The port it listens on. */
  port: number;
  /** Whether it serves HTTPS: its own pages' origin is then `https://…`. */
  secure?: boolean;
  /** Origins of other sites allowed to call the gateway (`gateway.cors`); none by default. */
  allowedOrigin?: (origin: string) => boolean;
  /** Further paths a link from another site may open with a GET (a frontend's pages). */
  navigable?: (path: string) => boolean;
}

/** Refuses a request by what it says of where it comes from, before any route sees it; undefined lets it through. */
export type RequestGuard = (method: string, url: string, headers: IncomingHttpHeaders) => FuseError | undefined;

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"];
const WILDCARDS = new Set(["", "0.0.0.0", "::", "[::]"]);
// Pages a link on another site may open: HTML that the browser shows, but never lets that site
// read. Everything else (the API, files, endpoint routes) answers only the gateway's own pages.
const NAVIGABLE = new Set(["/", "/docs", DASHBOARD_PATH]);
const FOREIGN_SITES = new Set(["cross-site", "same-site"]);

/**
 * Whether a GET may come from a link on another site: the dashboard and the docs, and a
 * frontend's page opened as a document (a top-level navigation; its scripts and images, and
 * any fetch, remain its own origin's alone).
 */
function isNavigation(path: string, headers: IncomingHttpHeaders, navigable: ((path: string) => boolean) | undefined): boolean {
  if (NAVIGABLE.has(path)) return true;
  return navigable !== undefined && headers["sec-fetch-mode"] === "navigate" && navigable(path);
}

const bracketed = (address: string) => (address.includes(":") && !address.startsWith("[") ? `[${address}]` : address);

/**
 * The names this gateway answers to in `Host`: loopback, the configured host, and on a wildcard
 * address this machine's name and interface addresses. Any other name is someone else's, made
 * to point here (DNS rebinding).
 */
function namesOf(host: string): string[] {
  const names = new Set(LOOPBACK_NAMES);
  if (!WILDCARDS.has(host)) names.add(bracketed(host.toLowerCase()));
  else {
    names.add(os.hostname().toLowerCase());
    for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.add(bracketed(a.address.toLowerCase()));
  }
  return [...names];
}

const shown = (value: string) => JSON.stringify(value.slice(0, 200));

function forbidden(message: string, header: string, value: string): FuseError {
  return new FuseError(ErrorCode.FORBIDDEN, message, { details: { header, value: value.slice(0, 200) } });
}

/**
 * What the gateway refuses of a browser acting for another site, and of a foreign `Host`:
 * - `Host` must name this gateway (loopback, its own host), with its port or none;
 * - `Origin`, when sent, must be the gateway's own (`http://<one of those names>:<port>`);
 * - `Sec-Fetch-Site` must not be `cross-site` or `same-site` (a page on another port of the
 *   same machine is another origin).
 * Requests with neither `Origin` nor `Sec-Fetch-Site` come from programs, not pages, and pass.
 * A link from another site may still open the dashboard and the docs.
 */
export function createRequestGuard(options: RequestGuardOptions): RequestGuard {
  const names = namesOf(options.host);
  const hosts = new Set(names.flatMap((n) => [n, `${n}:${options.port}`]));
  const scheme = options.secure ? "https" : "http";
  const defaultPort = options.secure ? 443 : 80;
  const origins = new Set(names.flatMap((n) => (options.port === defaultPort ? [`${scheme}://${n}`, `${scheme}://${n}:${defaultPort}`] : [`${scheme}://${n}:${options.port}`])));
  const expectedHosts = names.slice(0, 3).map((n) => `${n}:${options.port}`).join(", ");
  const ownOrigin = `${scheme}://${WILDCARDS.has(options.host) ? LOOPBACK_NAMES[0] : bracketed(options.host.toLowerCase())}:${options.port}`;
  return (method, url, headers) => {
    const host = headers.host;
    if (host !== undefined && !hosts.has(host.toLowerCase())) {
      return forbidden(`Host ${shown(host)} is not this gateway's: expected one of ${expectedHosts} (a foreign name that points here is DNS rebinding)`, "host", host);
    }
    const origin = headers.origin;
    const site = headers["sec-fetch-site"];
    if (origin === undefined && (site === undefined || !FOREIGN_SITES.has(site))) return undefined;
    if ((method === "GET" || method === "HEAD") && isNavigation(url.split("?", 1)[0]!, headers, options.navigable)) return undefined;
    // A page of an origin gateway.cors lists may call, cross-site as it is; CORS then governs what it reads.
    if (origin !== undefined && options.allowedOrigin?.(origin)) return undefined;
    if (origin !== undefined && !origins.has(origin)) {
      return forbidden(`a page of another origin (Origin ${shown(origin)}) may not call this gateway: only its own pages (${ownOrigin}) may`, "origin", origin);
    }
    if (site !== undefined && FOREIGN_SITES.has(site)) {
      return forbidden(`a request a browser sent for another site (Sec-Fetch-Site: ${site.slice(0, 20)}) may not reach this gateway: only its own pages may call it`, "sec-fetch-site", site);
    }
    return undefined;
  };
}

/**
 * Logs refused requests as warnings, at most one line per `everyMs` with the count since the
 * last: an attack is worth knowing about, but must not flood the log.
 */
export function refusalLogger(log: Logger, everyMs = 10_000): (error: FuseError, method: string, url: string) => void {
  let last = 0;
  let suppressed = 0;
  return (error, method, url) => {
    const now = Date.now();
    if (now - last < everyMs) return void suppressed++;
    log.warn({ code: error.code, reason: error.message, method, path: url.slice(0, 200), suppressed }, "request refused for its origin");
    last = now;
    suppressed = 0;
  };
}
