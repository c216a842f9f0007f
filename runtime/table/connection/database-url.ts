/** What a libSQL URL names, which decides how a process may reach it. */
export type DatabaseUrlKind =
  /** `ws://` or `wss://`: a server's hrana WebSocket. */
  | "websocket"
  /** `http://` on loopback with no path: the hub's own sqld, which serves HTTP and WebSocket on one port. */
  | "loopback-http"
  /** `http(s)://` elsewhere: an outside server, maybe behind a proxy that passes no WebSocket. */
  | "http"
  /** `libsql://` (Turso). */
  | "libsql"
  /** `file:` and anything else: no server. */
  | "local";

export interface DatabaseUrlClass {
  kind: DatabaseUrlKind;
  /** The URL has a query (`?authToken=…`, `?tls=…`) that only @libsql/client reads. */
  query: boolean;
}

const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/;

/** The one place that tells the kinds of database URL apart (pipelining and the replica's sync both ask). */
export function classifyDatabaseUrl(url: string): DatabaseUrlClass {
  const query = url.includes("?");
  if (/^wss?:\/\//.test(url)) return { kind: "websocket", query };
  if (LOOPBACK_HTTP.test(url)) return { kind: "loopback-http", query };
  if (/^https?:/.test(url)) return { kind: "http", query };
  if (/^libsql:/.test(url)) return { kind: "libsql", query };
  return { kind: "local", query };
}

/** The URL of the hrana WebSocket of a libSQL server, or undefined when statements cannot take it. */
export function pipelineUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const { kind, query } = classifyDatabaseUrl(url);
  // A URL with a query is left to @libsql/client, which reads it.
  if (query) return undefined;
  if (kind === "websocket") return url;
  // An outside server given as http(s): keeps its scheme (a proxy may pass no WebSocket).
  if (kind === "loopback-http") return url.replace(/^http/, "ws");
  return undefined;
}

/** The HTTP URL an embedded replica syncs from, or undefined for a database that is no server. */
export function replicaSyncUrl(url: string | undefined): string | undefined {
  if (!url || classifyDatabaseUrl(url).kind === "local") return undefined;
  // The libsql package syncs over HTTP: a WebSocket URL is the same server's HTTP port.
  return url.replace(/^ws/, "http");
}
