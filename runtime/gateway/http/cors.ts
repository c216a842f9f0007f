import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { CorsConfig } from "../../config/index.ts";
import { Header } from "../../protocol/index.ts";

/** CORS for the origins of `gateway.cors`, answered before the app as the request guard is. */
export interface Cors {
  /** Whether `origin` is one the config lists (the request guard lets those through). */
  allows(origin: string | undefined): boolean;
  /** Answers a listed origin's preflight; false when the request is not one (the app sees it). */
  preflight(method: string, headers: IncomingHttpHeaders, outgoing: ServerResponse): boolean;
  /** Sets the headers that let a listed origin's page read the answer. */
  decorate(headers: IncomingHttpHeaders, outgoing: ServerResponse): void;
}

const METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE";
// What a page may read of an answer beyond the CORS-safelisted headers.
const EXPOSED = [Header.traceId, "retry-after", "www-authenticate"].join(", ");
const TOKEN_LIST = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;

/**
 * CORS per listed origin: a preflight from one is answered 204 with the methods, the request
 * headers it asked for and the configured max age; every answer to one names that origin (never
 * `*`), with `Vary: Origin`. Any other origin gets no CORS header at all (the guard refuses it).
 * Undefined without `gateway.cors`: CORS is off.
 */
export function createCors(config: CorsConfig | undefined): Cors | undefined {
  if (!config) return undefined;
  const listed = new Set(config.origins);
  const allows = (origin: string | undefined) => origin !== undefined && listed.has(origin);
  const common = (origin: string, outgoing: ServerResponse) => {
    outgoing.setHeader("access-control-allow-origin", origin);
    if (config.credentials) outgoing.setHeader("access-control-allow-credentials", "true");
  };
  return {
    allows,
    preflight(method, headers, outgoing) {
      const asked = headers["access-control-request-method"];
      if (method !== "OPTIONS" || asked === undefined || !allows(headers.origin)) return false;
      common(headers.origin!, outgoing);
      outgoing.setHeader("vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
      outgoing.setHeader("access-control-allow-methods", METHODS);
      const wanted = headers["access-control-request-headers"];
      if (wanted && TOKEN_LIST.test(wanted)) outgoing.setHeader("access-control-allow-headers", wanted);
      outgoing.setHeader("access-control-max-age", String(config.maxAgeSeconds));
      outgoing.writeHead(204, { "content-length": 0 }).end();
      return true;
    },
    decorate(headers, outgoing) {
      outgoing.setHeader("vary", "Origin");
      if (!allows(headers.origin)) return;
      common(headers.origin!, outgoing);
      outgoing.setHeader("access-control-expose-headers", EXPOSED);
    },
  };
}
