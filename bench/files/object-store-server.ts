// The files bench's baseline: what one writes for the same job without Fuse. node:http and
// busboy stream each uploaded file part into a NATS JetStream object store (nats.js, with the
// bucket's defaults as Fuse opens its own, on a connection opened as Fuse opens its), and a
// GET streams it back out.
import http from "node:http";
import { Readable } from "node:stream";
import busboy from "busboy";
import { connectRawNats } from "../lib/raw-nats-connection.ts";

const nc = await connectRawNats("bench-files-baseline");
const bucket = await nc.jetstream().views.os("bench-files");
const nameOf = (req: http.IncomingMessage) => decodeURIComponent(req.url!.slice("/files/".length));

function upload(req: http.IncomingMessage, res: http.ServerResponse): void {
  const stored: Promise<unknown>[] = [];
  const parser = busboy({ headers: req.headers });
  parser.on("file", (_field, stream, info) => stored.push(bucket.put({ name: info.filename ?? "unnamed" }, Readable.toWeb(stream) as ReadableStream<Uint8Array>)));
  parser.on("close", () =>
    Promise.all(stored).then(
      (infos) => res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify(infos)),
      (error: Error) => res.writeHead(500).end(error.message),
    ),
  );
  req.pipe(parser);
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method === "POST" && req.url === "/files") return upload(req, res);
  if (req.method === "DELETE") return void res.writeHead((await bucket.delete(nameOf(req))) ? 200 : 404).end();
  const found = req.method === "GET" ? await bucket.get(nameOf(req)) : null;
  if (!found) return void res.writeHead(404).end();
  res.writeHead(200, { "content-type": "application/octet-stream" });
  Readable.fromWeb(found.data as import("node:stream/web").ReadableStream<Uint8Array>).pipe(res);
}

const server = http.createServer((req, res) => void serve(req, res).catch((error: Error) => res.writeHead(500).end(error.message)));
server.listen(0, "127.0.0.1", () => process.stdout.write(`READY ${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })}\n`));
process.on("SIGTERM", () => server.close(() => void nc.close().then(() => process.exit(0))));
