import { Readable } from "node:stream";
import { BodyHeader, Header } from "../../protocol/index.ts";
import type { RelayReply } from "../../sdk/internal.ts";
import { COMMON_SECURITY_HEADERS } from "./security-headers.ts";

/** Reads a reply body kept in the object store (`<bucket>/<name>`) and deletes it once sent. */
export interface StoredBodies {
  open(bucket: string, name: string): Promise<{ stream: Readable; size: number } | undefined>;
  delete(bucket: string, name: string): Promise<unknown>;
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function storedStream(bodies: StoredBodies, where: string): ReadableStream<Uint8Array> {
  const slash = where.indexOf("/");
  const bucket = where.slice(0, slash);
  const name = where.slice(slash + 1);
  let reader: AsyncIterator<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!reader) {
        const found = await bodies.open(bucket, name);
        if (!found) throw new Error(`reply body ${where} is not in the object store`);
        reader = found.stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
      }
      const next = await reader.next();
      if (!next.done) return controller.enqueue(next.value);
      controller.close();
      await bodies.delete(bucket, name);
    },
    // A client gone before the end leaves nothing behind either.
    async cancel() {
      await bodies.delete(bucket, name);
    },
  });
}

/**
 * The HTTP response for a reply whose body is not JSON (`Fuse-Body-Type`): its status and
 * media type, the body bytes as they came or streamed from the object store, and the headers
 * and cookies `headers` lets through (the gateway's allow list). A handler's HTML is its
 * author's own page, like a frontend's: served as a page of this origin, with the common
 * security headers.
 */
export function rawResponse(reply: RelayReply, traceId: string, headers: Record<string, string | string[]> | undefined, bodies: StoredBodies | undefined): Response {
  const status = Number(reply.header(BodyHeader.status) ?? 200);
  const all: Record<string, string | string[]> = { ...COMMON_SECURITY_HEADERS, ...headers, "content-type": reply.header(BodyHeader.type)!, [Header.traceId]: traceId };
  const stored = reply.header(BodyHeader.object);
  let body: ReadableStream<Uint8Array> | Uint8Array | null = reply.data;
  if (NULL_BODY.has(status)) body = null;
  else if (stored && bodies) {
    body = storedStream(bodies, stored);
    all["content-length"] = reply.header(BodyHeader.size) ?? "";
    if (!all["content-length"]) delete all["content-length"];
  }
  // A plain header object keeps @hono/node-server on its fast path (no Headers instance).
  return new Response(body, { status, headers: all as unknown as Record<string, string> });
}
