import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { createBrotliCompress, createGzip, constants as zlib } from "node:zlib";
import { compressedBody, MIN_COMPRESSED, type FileEntry } from "./static-folder.ts";

/** What a static response needs of the request. */
export interface StaticRequest {
  method: string;
  header(name: string): string | undefined;
}

const YEAR = "public, max-age=31536000, immutable";
// Anything whose name does not change with its content (index.html first of all) is checked
// again on every use: a 304 costs a round trip, a stale page costs a broken deploy.
const REVALIDATE = "no-cache";

type Encoding = "br" | "gzip" | undefined;

/** The best encoding the client accepts (`br` before `gzip`), honouring `;q=0`. */
export function chooseEncoding(accept: string | undefined): Encoding {
  if (!accept) return undefined;
  let br = false;
  let gzip = false;
  for (const part of accept.split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    if (params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p))) continue;
    if (name === "br") br = true;
    else if (name === "gzip" || name === "*") gzip = true;
  }
  return br ? "br" : gzip ? "gzip" : undefined;
}

/** A single byte range of `size` bytes asked with `Range: bytes=…`; "unsatisfiable", or undefined for none (or several). */
export function rangeOf(header: string | undefined, size: number): { start: number; end: number } | "unsatisfiable" | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  const [, from = "", to = ""] = match;
  if (from === "") {
    const length = Number(to);
    return length > 0 && size > 0 ? { start: Math.max(0, size - length), end: size - 1 } : "unsatisfiable";
  }
  const start = Number(from);
  const end = to === "" ? size - 1 : Math.min(Number(to), size - 1);
  return start < size && start <= end ? { start, end } : "unsatisfiable";
}

/** Whether `If-None-Match` names this entry's tag (in any of its encoded forms) or `*`. */
function notModified(entry: FileEntry, ifNoneMatch: string | undefined): boolean {
  if (!ifNoneMatch) return false;
  const bare = entry.etag.replace(/^W\//, "");
  for (const raw of ifNoneMatch.split(",")) {
    const tag = raw.trim().replace(/^W\//, "");
    if (tag === "*" || tag === bare) return true;
  }
  return false;
}

function headersOf(entry: FileEntry, cacheControl: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": entry.type,
    etag: entry.etag,
    "last-modified": entry.lastModified,
    "cache-control": cacheControl ?? (entry.immutable ? YEAR : REVALIDATE),
    ...entry.security,
  };
  if (entry.compressible) headers.vary = "Accept-Encoding";
  headers["accept-ranges"] = "bytes";
  return headers;
}

/**
 * The response for a file: 304 when the client's copy is current, else the bytes, compressed
 * with brotli or gzip when the type gains from it and the client accepts it. Kept files are
 * compressed once; larger ones are compressed as they stream. `cacheControl` overrides the
 * policy (the SPA fallback's `index.html` is never immutable).
 */
export function staticResponse(entry: FileEntry, request: StaticRequest, cacheControl?: string): Response {
  const headers = headersOf(entry, cacheControl);
  if (notModified(entry, request.header("if-none-match"))) return new Response(null, { status: 304, headers });
  // A range is of the file's own bytes (media seeking, resumed downloads); If-Range guards against a changed file.
  const ifRange = request.header("if-range");
  const range = ifRange === undefined || ifRange === entry.etag ? rangeOf(request.header("range"), entry.size) : undefined;
  if (range) return rangeResponse(entry, range, headers, request.method === "HEAD");
  const encoding = entry.compressible && entry.size >= MIN_COMPRESSED ? chooseEncoding(request.header("accept-encoding")) : undefined;
  if (encoding) headers["content-encoding"] = encoding;
  const head = request.method === "HEAD";
  if (entry.body) {
    const body = encoding ? compressedBody(entry, encoding) : entry.body;
    headers["content-length"] = String(body.length);
    return new Response(head ? null : body, { status: 200, headers });
  }
  if (!encoding) headers["content-length"] = String(entry.size);
  if (head) return new Response(null, { status: 200, headers });
  const file = createReadStream(entry.file);
  const stream = encoding === "br" ? file.pipe(createBrotliCompress({ params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } })) : encoding === "gzip" ? file.pipe(createGzip({ level: 6 })) : file;
  if (stream !== file) file.once("error", (error) => stream.destroy(error));
  return new Response(Readable.toWeb(stream) as ReadableStream, { status: 200, headers });
}

function rangeResponse(entry: FileEntry, range: { start: number; end: number } | "unsatisfiable", headers: Record<string, string>, head: boolean): Response {
  if (range === "unsatisfiable") return new Response(null, { status: 416, headers: { ...headers, "content-range": `bytes */${entry.size}` } });
  const { start, end } = range;
  headers["content-range"] = `bytes ${start}-${end}/${entry.size}`;
  headers["content-length"] = String(end - start + 1);
  if (head) return new Response(null, { status: 206, headers });
  const body = entry.body ? entry.body.subarray(start, end + 1) : (Readable.toWeb(createReadStream(entry.file, { start, end })) as ReadableStream);
  return new Response(body, { status: 206, headers });
}
