import { randomUUID } from "node:crypto";
import type { IncomingRequest, ObjectBucket } from "../bus/index.ts";
import { FuseError } from "../errors/index.ts";
import { BodyHeader, ErrorCode, Header, httpHeader } from "../protocol/index.ts";

/**
 * Sends a handler's `Response` as a bus reply: the body bytes as they are, with
 * `Fuse-Body-Type` (and `Fuse-Body-Status` when not 200); its headers as `Fuse-Http-Header-*`
 * and its cookies as `Fuse-Http-Set-Cookie`, as `ctx.http` sets them. A body the bus cannot
 * carry (above its max_payload, or a stream longer than `INLINE_LIMIT`) is written to the
 * object store instead, and the reply names it (`Fuse-Body-Object`, `Fuse-Body-Size`).
 */

/** The most of a body read into memory before it goes to the object store instead. */
export const INLINE_LIMIT = 1024 * 1024;

export interface RawReplyOptions {
  /** Headers the handler set through `ctx.http`; the Response's own win. */
  replyHeaders: Record<string, string> | undefined;
  /** The object store bucket of large bodies, and its name. */
  bodies: () => Promise<ObjectBucket>;
  bucket: string;
}

function headersOf(response: Response, replyHeaders: Record<string, string> | undefined): Record<string, string> {
  const headers: Record<string, string> = { ...replyHeaders };
  headers[BodyHeader.type] = response.headers.get("content-type") ?? "application/octet-stream";
  if (response.status !== 200) headers[BodyHeader.status] = String(response.status);
  response.headers.forEach((value, name) => {
    if (name !== "content-type" && name !== "content-length" && name !== "set-cookie") headers[httpHeader(name)] = value.replace(/[\r\n]+/g, " ");
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) {
    const set = headers[Header.httpSetCookie];
    const earlier = set ? (JSON.parse(set) as string[]) : [];
    headers[Header.httpSetCookie] = JSON.stringify([...earlier, ...cookies]);
  }
  return headers;
}

/** Reads up to `INLINE_LIMIT` bytes; `rest` is what the stream still holds past them. */
async function readHead(response: Response): Promise<{ chunks: Uint8Array[]; size: number; rest: ReadableStreamDefaultReader<Uint8Array> | undefined }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (!response.body) return { chunks, size, rest: undefined };
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { chunks, size, rest: undefined };
    chunks.push(value);
    size += value.length;
    if (size > INLINE_LIMIT) return { chunks, size, rest: reader };
  }
}

async function* concat(chunks: Uint8Array[], rest: ReadableStreamDefaultReader<Uint8Array> | undefined): AsyncIterable<Uint8Array> {
  yield* chunks;
  if (!rest) return;
  for (;;) {
    const { done, value } = await rest.read();
    if (done) return;
    yield value;
  }
}

/**
 * Sends `response` as the reply to `request`.
 * @throws PAYLOAD_TOO_LARGE when the reply's headers alone are above the bus limit; what
 *   storing a large body throws (nothing was sent then).
 */
export async function sendRawReply(request: IncomingRequest, response: Response, options: RawReplyOptions): Promise<void> {
  const headers = headersOf(response, options.replyHeaders);
  const { chunks, size, rest } = await readHead(response);
  if (!rest) {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    try {
      request.respond(body, headers);
      return;
    } catch (error) {
      // Nothing was sent: the body goes through the object store instead.
      if (!(error instanceof FuseError) || error.code !== ErrorCode.PAYLOAD_TOO_LARGE || size === 0) throw error;
    }
  }
  const name = randomUUID();
  const info = await (await options.bodies()).put(name, concat(chunks, rest), { contentType: headers[BodyHeader.type] });
  headers[BodyHeader.object] = `${options.bucket}/${name}`;
  headers[BodyHeader.size] = String(info.size);
  request.respond(new Uint8Array(0), headers);
}
