import type { CorsConfig, GatewayTlsConfig } from "../config/index.ts";
import type { GatewayAuthConfig, RateLimitConfig } from "../config/index.ts";
import type { WebMount } from "./web/web-mounts.ts";

/** How the gateway serves; `config/fuse.yaml` sets `port` and `host`, the rest are built-in defaults. */
export interface GatewayOptions {
  /** HTTP port; 0 picks a free one. Default 0. */
  port: number;
  /** Default `127.0.0.1`. Another address needs authentication, or `auth: "none"`. */
  host: string;
  /**
   * Credentials accepted (`{ keys, jwt }`); none configured: every request is the local admin,
   * on loopback only. `"none"`: serve without authentication even on a non-loopback host (a
   * warning at every start).
   */
  auth?: GatewayAuthConfig;
  /** Request budgets (per principal, per address, failed authentications); default: 10 failed authentications a minute per address. */
  rateLimit?: RateLimitConfig;
  /**
   * Largest request body in bytes; larger is 413. Default 1 MiB. What the bus carries (its
   * max_payload less the request's headers) may be less, and a body above that is 413 too.
   */
  bodyLimitBytes: number;
  /** Largest file an upload to /files may carry. Default 2 GiB. */
  maxFileBytes: number;
  /** Deadline of a request without `Fuse-Deadline`, in ms. Default 10 000. */
  defaultTimeoutMs: number;
  /** Latest deadline a client may ask for with `Fuse-Deadline`, in ms from now. Default 300 000. */
  maxTimeoutMs: number;
  /** Request headers (lower case) that reach handlers as `ctx.http.header(name)`. */
  requestHeaders: string[];
  /** Response headers (lower case) a handler may set with `ctx.http.setHeader`. */
  responseHeaders: string[];
  /** Ms between discovery rounds. Default 2 000. */
  discoveryIntervalMs: number;
  /** Shortest gap between the extra rounds that requests for unknown names trigger. Default 250. */
  missIntervalMs: number;
  /** Requests in flight above which new ones get 503 at once. Default 10 000. */
  maxInflight: number;
  /** Bytes of events queued for one `/events/<topic>` client beyond which it is dropped as too slow. Default 1 MiB. */
  eventBufferBytes: number;
  /** Ms between keep-alive comments on `/events/<topic>` streams. Default 15 000. */
  eventKeepAliveMs: number;
  /** The hub folder: where `gateway.tls` files are read from, `.fuse/tls/` and the sign-in links live. Default: the working folder. */
  hubDir?: string;
  /** HTTPS (`gateway.tls`): the user's certificate and key, or a self-signed one kept in `.fuse/tls/`. Default: plain HTTP. */
  tls?: GatewayTlsConfig;
  /** Origins of other sites whose pages may call the gateway (`gateway.cors`). Default: none. */
  cors?: CorsConfig;
  /** Frontend folders served by path (`web` of fuse.yaml, or the hub's `public/` at `/`). Default: none. */
  web?: WebMount[];
  /** Ms between samples of every process's figures for the dashboard's charts (`metrics.historyIntervalMs`); 0 takes none. Default 10 000. */
  historyIntervalMs: number;
}

export const DEFAULT_GATEWAY_OPTIONS = {
  port: 0,
  host: "127.0.0.1",
  bodyLimitBytes: 1024 * 1024,
  maxFileBytes: 2 * 1024 ** 3,
  defaultTimeoutMs: 10_000,
  maxTimeoutMs: 300_000,
  requestHeaders: [
    "accept",
    "accept-language",
    "authorization",
    "cookie",
    "if-modified-since",
    "if-none-match",
    "origin",
    "referer",
    "user-agent",
    "x-forwarded-for",
    "x-request-id",
  ],
  responseHeaders: ["cache-control", "content-disposition", "content-language", "etag", "last-modified", "location", "vary"],
  discoveryIntervalMs: 2000,
  missIntervalMs: 250,
  maxInflight: 10_000,
  eventBufferBytes: 1024 * 1024,
  eventKeepAliveMs: 15_000,
  historyIntervalMs: 10_000,
} satisfies GatewayOptions;
