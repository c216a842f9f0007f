import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import busboy from "busboy";
import type { Context, Hono } from "hono";
import { ErrorCode } from "../../protocol/index.ts";
import { FuseError, NotFoundError, ValidationError } from "../../errors/index.ts";
import type { Files, FileInfo } from "../../sdk/internal.ts";
import { errorResponse, jsonResponse } from "./json-response.ts";
import { headOf } from "./request-head.ts";
import { downloadHeaders } from "./security-headers.ts";
import { FILE_READ_ACCESS, FILE_WRITE_ACCESS } from "./access-gate.ts";
import type { GatedHandler } from "./endpoint-handlers.ts";
import type { Access, Principal } from "../../protocol/index.ts";
import type { Logger } from "../../log/index.ts";

export interface FileRoutesOptions {
  files: Files;
  /** Largest file an upload may carry. */
  maxFileBytes: number;
}

/** What `mountFileRoutes` adds to the options: the access pipeline, and the log of changes. */
interface FileRoutesAccess {
  /** Authenticates and checks access before a handler runs (EndpointHandlers.gate). */
  gate(access: Access, handler: GatedHandler): (c: Context) => Promise<Response>;
  log: Logger;
}

function incomingOf(c: Context): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}

const FILES_PREFIX = "/files/";

/** The file name of a `/files/<name>` request: the rest of the path, percent-decoded once. */
function nameOf(c: Context): string {
  const raw = headOf(c).rawPath;
  try {
    return decodeURIComponent(raw).slice(FILES_PREFIX.length);
  } catch {
    const path = raw.slice(0, 200);
    throw new ValidationError(`file path ${JSON.stringify(path)} is not valid percent-encoding: expected %XX escapes of UTF-8 bytes`, {
      code: ErrorCode.BAD_REQUEST,
      details: { path },
    });
  }
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
export function mountFileRoutes(app: Hono, options: FileRoutesOptions & FileRoutesAccess): void {
  // Reading needs a credential, changing files the admin role (uploads are mutations like any other).
  const read = (handler: GatedHandler) => options.gate(FILE_READ_ACCESS, handler);
  const write = (action: string, handler: GatedHandler) =>
    options.gate(FILE_WRITE_ACCESS, (c, principal, head) => {
      logChange(options.log, action, head.rawPath, principal, head.address);
      return handler(c, principal, head);
    });
  // A refused request is answered here; anything else reaches the app's error handler, which logs it.
  const guarded = (handler: (c: Context) => Promise<Response>) => (c: Context) =>
    handler(c).catch((error: unknown) => {
      if (error instanceof FuseError) return errorResponse(error);
      throw error;
    });
  app.get("/files", read(async () => jsonResponse(JSON.stringify(await options.files.list()), 200)));
  app.post("/files", write("upload", guarded(async (c) => {
    const incoming = incomingOf(c);
    if (!incoming) throw new FuseError(ErrorCode.INTERNAL, "uploads need the Node HTTP server");
    if (!(c.req.header("content-type") ?? "").startsWith("multipart/form-data")) {
      throw new FuseError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "POST /files expects multipart/form-data");
    }
    return jsonResponse(JSON.stringify(await receiveMultipart(incoming, options)), 201);
  })));
  app.put("/files/*", write("upload", guarded(async (c) => {
    const incoming = incomingOf(c);
    if (!incoming) throw new FuseError(ErrorCode.INTERNAL, "uploads need the Node HTTP server");
    const info = await options.files.put(nameOf(c), incoming, { contentType: c.req.header("content-type") ?? "application/octet-stream" });
    return jsonResponse(JSON.stringify(info), 201);
  })));
  app.get("/files/*", read(guarded(async (c) => {
    const name = nameOf(c);
    const found = await options.files.get(name);
    if (!found) throw new NotFoundError(ErrorCode.NOT_FOUND, `no file ${JSON.stringify(name.slice(0, 200))}`);
    return new Response(Readable.toWeb(found.stream) as ReadableStream, {
      headers: {
        "content-type": found.info.contentType ?? "application/octet-stream",
        "content-length": String(found.info.size),
        ...(found.info.digest ? { digest: found.info.digest } : {}),
        // Whatever was uploaded (an HTML page with a script), it is a download, never a page of this origin.
        ...downloadHeaders(name),
      },
    });
  })));
  app.delete("/files/*", write("delete", guarded(async (c) => {
    const name = nameOf(c);
    if (!(await options.files.delete(name))) throw new NotFoundError(ErrorCode.NOT_FOUND, `no file ${JSON.stringify(name.slice(0, 200))}`);
    return jsonResponse(JSON.stringify({ deleted: true }), 200);
  })));
}

/** A file change is a control action: logged at info with who asked and from where. */
function logChange(log: Logger, action: string, path: string, principal: Principal | undefined, address: string): void {
  const line: Record<string, unknown> = { action: `files.${action}`, path: path.slice(0, 200) };
  if (principal) line.principal = { id: principal.id, via: principal.via, roles: principal.roles };
  if (address) line.address = address;
  log.info(line, "control action");
}
