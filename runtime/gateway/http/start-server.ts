import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";
import { ErrorCode } from "../../protocol/index.ts";
import { FuseError, toWire } from "../../errors/index.ts";
import { errorResponse } from "./json-response.ts";
import { createRequestGuard, type RequestGuard } from "./request-guard.ts";
import type { Cors } from "./cors.ts";
import type { ServerTls } from "../tls/server-tls.ts";

// Browsers that reached the gateway over trusted HTTPS use only HTTPS to it for a year; not for
// subdomains, which may be other services. (A browser ignores it over an untrusted certificate.)
const HSTS = "max-age=31536000";

const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:[/?#]|$)/i;

function refuse(outgoing: ServerResponse, error: FuseError, close = false): void {
  const body = toWire(error).body;
  outgoing.writeHead(error.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    // A large refused upload is not read to its end: the connection goes with the answer.
    ...(close ? { connection: "close" } : {}),
  });
  outgoing.end(body);
}

// Node reads and drops the unread body of a small refused request, keeping the connection (a
// browser that sees its upload cut reports a network error, not the answer); a large or
// unknown-size one is cut by closing the connection instead.
const SMALL_BODY = 64 * 1024;
const smallBody = (incoming: IncomingMessage) => incoming.headers["transfer-encoding"] === undefined && Number(incoming.headers["content-length"] ?? 0) <= SMALL_BODY;

export interface HttpServerHandle {
  /** The bound address, e.g. `http://127.0.0.1:41234`. */
  url: string;
  stop(): Promise<void>;
}

export interface HttpServerOptions {
  /** Called with each request the guard refuses (a foreign `Host`, a page of another site). */
  onRefused?: (error: FuseError, method: string, url: string) => void;
  /** Serve HTTPS with this certificate and key (and `Strict-Transport-Security` on every answer). */
  tls?: ServerTls;
  /** CORS for the origins of `gateway.cors`: their pages pass the guard, their preflights are answered. */
  cors?: Cors;
  /** Paths besides the dashboard and docs that a link from another site may open (a frontend's pages). */
  navigable?: (path: string) => boolean;
}

/**
 * Serves the app on Node's HTTP server through @hono/node-server. A request Node or the adapter
 * cannot even read (a bad URL or host) still gets a JSON 400, not an empty one. Before the app,
 * the request guard refuses what a browser sends for another site and foreign `Host` names.
 */
export function startHttpServer(app: Hono, host: string, port: number, options: HttpServerOptions = {}): Promise<HttpServerHandle> {
  const listener = getRequestListener(app.fetch, {
    errorHandler: (err) => errorResponse(new FuseError(ErrorCode.BAD_REQUEST, `malformed request: ${(err as Error).message}`)),
  });
  let guard: RequestGuard | undefined;
  const handler = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    if (options.tls) outgoing.setHeader("strict-transport-security", HSTS);
    const url = incoming.url ?? "";
    // The adapter would resolve dot segments before routing while the gateway reads the raw
    // path; a path with them is refused so both always agree on what was asked.
    if (DOT_SEGMENT.test(url)) return void refuse(outgoing, new FuseError(ErrorCode.BAD_REQUEST, "request path must not contain \".\" or \"..\" segments"));
    // The port is known once listening, which comes before any request.
    guard ??= createRequestGuard({ host, port: (server.address() as AddressInfo).port, secure: Boolean(options.tls), allowedOrigin: options.cors?.allows, navigable: options.navigable });
    const method = incoming.method ?? "GET";
    const refused = guard(method, url, incoming.headers);
    if (refused) {
      options.onRefused?.(refused, method, url);
      return void refuse(outgoing, refused, !smallBody(incoming));
    }
    if (options.cors) {
      options.cors.decorate(incoming.headers, outgoing);
      if (options.cors.preflight(method, incoming.headers, outgoing)) return;
    }
    void listener(incoming, outgoing);
  };
  const server: Server = options.tls ? createHttpsServer({ keepAliveTimeout: 65_000, cert: options.tls.cert, key: options.tls.key }, handler) : createServer({ keepAliveTimeout: 65_000 }, handler);
  server.on("clientError", (_err, socket) => {
    if (socket.writable) {
      const body = JSON.stringify({ error: { code: ErrorCode.BAD_REQUEST, message: "malformed HTTP request" } });
      socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    } else {
      socket.destroy();
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address() as AddressInfo;
      const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
      resolve({
        url: `${options.tls ? "https" : "http"}://${shownHost}:${address.port}`,
        stop: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
            // Requests still open after a grace period are cut: the actor drained its bus work already.
            setTimeout(() => server.closeAllConnections(), 2000).unref();
          }),
      });
    });
  });
}
