import { BodyHeader, Header, httpHeader } from "../../protocol/index.ts";
import { fromWire, toWire } from "../../errors/index.ts";
import type { RelayReply } from "../../sdk/internal.ts";
import type { RequestHead } from "./request-head.ts";
import { jsonResponse } from "./json-response.ts";
import { rawResponse, type StoredBodies } from "./raw-response.ts";

const decoder = new TextDecoder();

/** Header names paired with their bus names, computed once per allow list. */
export type HeaderPairs = [http: string, bus: string][];

export function headerPairs(names: string[]): HeaderPairs {
  return names.map((n) => [n.toLowerCase(), httpHeader(n)]);
}

/** The bus headers that carry the HTTP side of a request to the handler (`ctx.http`). */
export function busHeaders(head: RequestHead, allowed: HeaderPairs): Record<string, string> {
  const headers: Record<string, string> = { [Header.httpMethod]: head.method, [Header.httpPath]: head.rawPath };
  for (const [name, bus] of allowed) {
    const value = head.header(name);
    if (value !== undefined) headers[bus] = value;
  }
  return headers;
}

function httpHeadersOf(reply: RelayReply, allowed: HeaderPairs): Record<string, string | string[]> | undefined {
  let headers: Record<string, string | string[]> | undefined;
  const cookies = reply.header(Header.httpSetCookie);
  if (cookies) {
    try {
      const list = JSON.parse(cookies) as unknown;
      if (Array.isArray(list)) headers = { "set-cookie": list.filter((c): c is string => typeof c === "string") };
    } catch {
      // a malformed cookie header sets no cookie
    }
  }
  for (const [name, bus] of allowed) {
    const value = reply.header(bus);
    if (value !== undefined) (headers ??= {})[name] = value;
  }
  return headers;
}

/**
 * An endpoint's reply as an HTTP response: the output bytes as they came (200), or the error
 * envelope with the status of its code; cookies and allowed headers the handler set go along.
 * A body that is not JSON (`Fuse-Body-Type`) goes out as it is, with its status and type.
 */
export function replyResponse(reply: RelayReply, traceId: string, allowed: HeaderPairs, bodies?: StoredBodies): Response {
  const headers = httpHeadersOf(reply, allowed);
  const errorStatus = reply.header(Header.serviceErrorCode);
  if (errorStatus === undefined) {
    if (reply.header(BodyHeader.type) !== undefined) return rawResponse(reply, traceId, headers, bodies);
    return jsonResponse(reply.data.length ? reply.data : "null", 200, traceId, headers);
  }
  // Rebuilt so that a reply of a plain NATS micro service (no envelope) becomes one too.
  const error = fromWire(decoder.decode(reply.data), Number(errorStatus), reply.header(Header.serviceError));
  return jsonResponse(toWire(error).body, error.status, traceId, headers);
}
