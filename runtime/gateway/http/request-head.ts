import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import { ErrorCode } from "../../protocol/index.ts";
import { FuseError } from "../../errors/index.ts";

/**
 * What the gateway reads of an HTTP request. On @hono/node-server it reads Node's own request
 * (headers as parsed, the raw URL, the body stream) instead of building a fetch Request: that
 * object is the costliest part of a request the gateway would otherwise not need.
 */
export interface RequestHead {
  method: string;
  /** The path as sent, still percent-encoded. */
  rawPath: string;
  /** The query string without `?`, still encoded; empty when none. */
  rawQuery: string;
  /** A request header by lower-case name. */
  header(name: string): string | undefined;
  /** The client's address as the socket saw it (empty when unknown); a proxy's `X-Forwarded-For` is not trusted. */
  address: string;
  /** The body bytes; PAYLOAD_TOO_LARGE above `limit`. */
  body(limit: number): Promise<Uint8Array>;
}

const EMPTY = new Uint8Array(0);

export function tooLarge(limit: number): FuseError {
  return new FuseError(ErrorCode.PAYLOAD_TOO_LARGE, `request body is larger than the limit of ${limit} bytes`, { details: { limit } });
}

function readIncoming(incoming: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(incoming.headers["content-length"] ?? -1);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  if (declared === 0) return Promise.resolve(EMPTY);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        incoming.off("data", onData);
        // Stop reading; the 413 goes out with `Connection: close`, which ends the upload.
        incoming.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    incoming.on("data", onData);
    incoming.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : chunks.length ? Buffer.concat(chunks) : EMPTY));
    incoming.once("error", (err) => reject(new FuseError(ErrorCode.BAD_REQUEST, "request body could not be read", { cause: err })));
  });
}

function splitUrl(url: string): [string, string] {
  const q = url.indexOf("?");
  return q < 0 ? [url, ""] : [url.slice(0, q), url.slice(q + 1)];
}

function fromNode(incoming: IncomingMessage): RequestHead {
  const [rawPath, rawQuery] = splitUrl(incoming.url ?? "/");
  const headers = incoming.headers;
  return {
    method: incoming.method ?? "GET",
    rawPath,
    rawQuery,
    address: incoming.socket?.remoteAddress ?? "",
    header: (name) => {
      const value = headers[name];
      return Array.isArray(value) ? value.join(", ") : value;
    },
    body: (limit) => readIncoming(incoming, limit),
  };
}

function fromFetch(request: Request): RequestHead {
  const url = request.url;
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const [rawPath, rawQuery] = splitUrl(start < 0 ? "/" : url.slice(start));
  return {
    method: request.method,
    rawPath,
    rawQuery,
    address: "",
    header: (name) => request.headers.get(name) ?? undefined,
    body: async (limit) => {
      if (Number(request.headers.get("content-length") ?? -1) > limit) throw tooLarge(limit);
      const bytes = new Uint8Array(await request.arrayBuffer());
      if (bytes.length > limit) throw tooLarge(limit);
      return bytes;
    },
  };
}

/** The request of a Hono context: Node's when served by @hono/node-server, else the fetch Request. */
export function headOf(c: Context): RequestHead {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming ? fromNode(incoming) : fromFetch(c.req.raw);
}
