import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import busboy from "busboy";
import type { Context, Hono } from "hono";
import { ErrorCode } from "../../protocol/index.ts";
import { FuseError, NotFoundError, ValidationError, toFuseError } from "../../errors/index.ts";
import type { Files, FileInfo } from "../../sdk/internal.ts";
import { errorResponse, jsonResponse } from "./json-response.ts";

export interface FileRoutesOptions {
  files: Files;
  /** Largest file an upload may carry. */
  maxFileBytes: number;
}

function incomingOf(c: Context): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}

function nameOf(c: Context): string {
  return decodeURIComponent(c.req.path.slice("/files/".length));
}

/** Streams each file part of a multipart body into the store; never holds a whole file. */
function receiveMultipart(incoming: IncomingMessage, options: FileRoutesOptions): Promise<FileInfo[]> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: incoming.headers, limits: { fileSize: options.maxFileBytes } });
    } catch (error) {
      return reject(new ValidationError(`multipart body: ${(error as Error).message}`, { code: ErrorCode.BAD_REQUEST }));
    }
    const stored: Promise<FileInfo>[] = [];
    parser.on("file", (_field, stream, info) => {
      if (!info.filename) return void stream.resume();
      stream.on("limit", () => stream.destroy(new FuseError(ErrorCode.PAYLOAD_TOO_LARGE, `file "${info.filename}" is larger than the limit of ${options.maxFileBytes} bytes`)));
      stored.push(options.files.put(info.filename, stream, { contentType: info.mimeType }));
    });
    parser.on("error", (error) => reject(new ValidationError(`multipart body: ${(error as Error).message}`, { code: ErrorCode.BAD_REQUEST })));
    parser.on("close", () => {
      if (!stored.length) return reject(new ValidationError("multipart body: no file part with a filename", { code: ErrorCode.BAD_REQUEST }));
      Promise.all(stored).then(resolve, reject);
    });
    incoming.pipe(parser);
  });
}

/**
 * File routes over `ctx.files`, streamed both ways: `GET /files` lists, `POST /files` takes a
 * multipart upload (one or more files), `PUT /files/<name>` a raw body, `GET /files/<name>`
 * downloads, `DELETE /files/<name>` removes.
 */
export function mountFileRoutes(app: Hono, options: FileRoutesOptions): void {
  const fail = (error: unknown) => errorResponse(toFuseError(error));
  app.get("/files", async () => jsonResponse(JSON.stringify(await options.files.list()), 200));
  app.post("/files", async (c) => {
    const incoming = incomingOf(c);
    if (!incoming) return fail(new FuseError(ErrorCode.INTERNAL, "uploads need the Node HTTP server"));
    if (!(c.req.header("content-type") ?? "").startsWith("multipart/form-data")) {
      return fail(new FuseError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "POST /files expects multipart/form-data"));
    }
    try {
      return jsonResponse(JSON.stringify(await receiveMultipart(incoming, options)), 201);
    } catch (error) {
      return fail(error);
    }
  });
  app.put("/files/*", async (c) => {
    const incoming = incomingOf(c);
    if (!incoming) return fail(new FuseError(ErrorCode.INTERNAL, "uploads need the Node HTTP server"));
    try {
      const info = await options.files.put(nameOf(c), incoming, { contentType: c.req.header("content-type") ?? "application/octet-stream" });
      return jsonResponse(JSON.stringify(info), 201);
    } catch (error) {
      return fail(error);
    }
  });
  app.get("/files/*", async (c) => {
    const found = await options.files.get(nameOf(c));
    if (!found) return fail(new NotFoundError(ErrorCode.NOT_FOUND, `no file ${JSON.stringify(nameOf(c).slice(0, 200))}`));
    return new Response(Readable.toWeb(found.stream) as ReadableStream, {
      headers: {
        "content-type": found.info.contentType ?? "application/octet-stream",
        "content-length": String(found.info.size),
        ...(found.info.digest ? { digest: found.info.digest } : {}),
      },
    });
  });
  app.delete("/files/*", async (c) => {
    if (!(await options.files.delete(nameOf(c)))) return fail(new NotFoundError(ErrorCode.NOT_FOUND, `no file ${JSON.stringify(nameOf(c).slice(0, 200))}`));
    return jsonResponse(JSON.stringify({ deleted: true }), 200);
  });
}
