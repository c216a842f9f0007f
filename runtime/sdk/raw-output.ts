import type { Readable } from "node:stream";
import { z } from "zod";
import { RAW_BODY_SCHEMA_KEY, type RawBodyDeclaration } from "../protocol/index.ts";

const RAW = Symbol.for("fuse.rawOutput");

/** The output schema of an endpoint that answers with a `Response` rather than JSON. */
export type RawOutput = z.ZodType<Response, Response>;

/** Options of `rawOutput`. */
export interface RawOutputOptions {
  /** Whether the handler may answer with a redirect (3xx with `Location`), listed in OpenAPI. Default false. */
  redirect?: boolean;
}

/**
 * Declares an endpoint's output as a body that is not JSON: the handler returns a web
 * `Response` (made with `respond`, `redirect` or `new Response`) with its status, content
 * type and headers. Over HTTP it is that response; on the bus its bytes travel as they are
 * (headers `Fuse-Body-Type`, `Fuse-Body-Status`), and a body too large for the bus goes
 * through the object store. `ctx.call` of such an endpoint resolves with a `Response`.
 * @param types the media types it answers with, for OpenAPI and /docs. Default `*\/*`.
 * @example
 * page: defineEndpoint({
 *   input: z.object({ name: z.string() }),
 *   output: rawOutput("text/html"),
 *   http: { method: "GET", path: "/hello/:name" },
 *   handler: ({ name }) => respond(`<h1>Hello ${escapeHtml(name)}</h1>`, { type: "text/html" }),
 * }),
 */
export function rawOutput(types: string | readonly string[] = "*/*", options: RawOutputOptions = {}): RawOutput {
  const declaration: RawBodyDeclaration = { types: typeof types === "string" ? [types] : [...types], redirect: options.redirect ?? false };
  const schema = z
    .custom<Response>((value) => value instanceof Response, { error: "expected a Response (respond(body, { type }), redirect(url) or new Response(…))" })
    .meta({ [RAW_BODY_SCHEMA_KEY]: declaration });
  Object.defineProperty(schema, RAW, { value: declaration });
  return schema;
}

/** Whether an endpoint's output was declared with `rawOutput`. */
export function isRawOutput(schema: unknown): boolean {
  return typeof schema === "object" && schema !== null && RAW in schema;
}

/** A body `respond` takes: text, bytes, a web stream, a Node stream or any async iterable of bytes. */
export type RawBody = string | Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array> | Readable | AsyncIterable<Uint8Array> | null;

/** Options of `respond`. */
export interface RespondInit {
  /** HTTP status. Default 200. */
  status?: number;
  /** Media type; `charset=utf-8` is added to text types without one. Default `text/plain` for a string, else `application/octet-stream`. */
  type?: string;
  /** More response headers (the gateway passes on those its allow list names, e.g. cache-control, content-disposition, etag). */
  headers?: Record<string, string>;
}

function withCharset(type: string): string {
  return /^(text\/|application\/(javascript|xml|.*\+xml))/i.test(type) && !/;\s*charset=/i.test(type) ? `${type}; charset=utf-8` : type;
}

type ResponseBody = ConstructorParameters<typeof Response>[0];

const encoder = new TextEncoder();

// A Node stream in object mode (Readable.from of strings) yields strings: the body wants bytes.
async function* asBytes(chunks: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) yield typeof chunk === "string" ? encoder.encode(chunk) : (chunk as Uint8Array);
}

function bodyInit(body: RawBody): ResponseBody {
  if (body !== null && typeof body === "object" && Symbol.asyncIterator in body && !(body instanceof ReadableStream)) {
    return ReadableStream.from(asBytes(body as AsyncIterable<unknown>));
  }
  return body as ResponseBody;
}

/**
 * A response with a body that is not JSON, for an endpoint declared with `rawOutput`.
 * @example return respond(csv, { type: "text/csv", headers: { "content-disposition": 'attachment; filename="report.csv"' } });
 */
export function respond(body: RawBody, init: RespondInit = {}): Response {
  const type = init.type ?? (typeof body === "string" ? "text/plain" : "application/octet-stream");
  return new Response(bodyInit(body), { status: init.status ?? 200, headers: { ...init.headers, "content-type": withCharset(type) } });
}

/**
 * A redirect (302 by default; 301, 303, 307 or 308), for an endpoint declared with
 * `rawOutput(types, { redirect: true })`.
 * @example return redirect(`/notes/${note.id}`, 303);
 */
export function redirect(location: string, status: 301 | 302 | 303 | 307 | 308 = 302): Response {
  return new Response(null, { status, headers: { location } });
}
