import { BodyHeader, Header, httpHeader } from "../protocol/index.ts";
import type { Reply, Transport } from "./transport.ts";

/** Response headers a reply of a `rawOutput` endpoint carries back to `ctx.call` (besides its type and cookies). */
const CARRIED = ["location", "cache-control", "content-disposition", "content-language", "etag", "last-modified", "vary"];
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** Whether a reply's body is not JSON (a handler returned a `Response`). */
export function isRawReply(reply: Reply): boolean {
  return reply.header(BodyHeader.type) !== undefined;
}

/**
 * The body kept in the object store (`<bucket>/<name>`), read as it streams and deleted once
 * read to its end: a reply body is read once.
 */
function storedBody(transport: Transport, where: string): ReadableStream<Uint8Array> {
  const slash = where.indexOf("/");
  const bucket = where.slice(0, slash);
  const name = where.slice(slash + 1);
  let chunks: AsyncIterator<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!chunks) {
        const found = await (await transport.objects(bucket)).get(name);
        if (!found) throw new Error(`reply body ${where} is no longer in the object store (read already?)`);
        chunks = found.data[Symbol.asyncIterator]();
      }
      const next = await chunks.next();
      if (!next.done) return controller.enqueue(next.value);
      controller.close();
      await (await transport.objects(bucket)).delete(name);
    },
  });
}

/**
 * A reply of a `rawOutput` endpoint as the web `Response` its handler returned: status,
 * content type, the carried headers and cookies, and the body (from the object store when it
 * was too large for the bus, streamed on first read). What `ctx.call` resolves with.
 */
export function replyAsResponse(reply: Reply, transport: Transport): Response {
  const headers = new Headers({ "content-type": reply.header(BodyHeader.type)! });
  for (const name of CARRIED) {
    const value = reply.header(httpHeader(name));
    if (value !== undefined) headers.set(name, value);
  }
  const cookies = reply.header(Header.httpSetCookie);
  if (cookies) for (const cookie of JSON.parse(cookies) as string[]) headers.append("set-cookie", cookie);
  const status = Number(reply.header(BodyHeader.status) ?? 200);
  const stored = reply.header(BodyHeader.object);
  const body = NULL_BODY.has(status) ? null : stored ? storedBody(transport, stored) : reply.data;
  return new Response(body, { status, headers });
}
