import { Header } from "../../protocol/index.ts";
import { toWire, type FuseError } from "../../errors/index.ts";
import { errorHeadersOf } from "./error-headers.ts";

const JSON_TYPE = "application/json; charset=utf-8";

/** A JSON response with the trace id; `headers` may hold arrays (several `set-cookie`). */
export function jsonResponse(body: string | Uint8Array, status: number, traceId?: string, headers?: Record<string, string | string[]>): Response {
  const all: Record<string, string | string[]> = { "content-type": JSON_TYPE, ...headers };
  if (traceId) all[Header.traceId] = traceId;
  // A plain header object keeps @hono/node-server on its fast path (no Headers instance).
  return new Response(body, { status, headers: all as unknown as Record<string, string> });
}

/** The error envelope of the wire protocol (docs/architecture.md) with the status of its code (and `WWW-Authenticate` or `Retry-After` where HTTP wants them). */
export function errorResponse(error: FuseError, traceId?: string, headers?: Record<string, string | string[]>): Response {
  const required = errorHeadersOf(error);
  return jsonResponse(toWire(error).body, error.status, traceId, required ? { ...headers, ...required } : headers);
}
