// The files bench's client, its own process: streams FILE_BYTES of deterministic bytes up to
// FILES_URL/files as a multipart form (as a browser sends a file), then down again, checking
// the hash. It never holds the file: each 1 MiB chunk is made as it is sent.
import { createHash } from "node:crypto";
import http from "node:http";
import { Readable } from "node:stream";
import { emit } from "../lib/driver.ts";

const url = process.env.FILES_URL!;
const size = Number(process.env.FILE_BYTES);
const name = "bench-big.bin";
const BOUNDARY = "fuse-bench-boundary";

function* body(hash: ReturnType<typeof createHash>): Generator<Buffer> {
  yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  for (let sent = 0, n = 0; sent < size; n++) {
    // A new buffer each time: a written chunk may still be queued when the next is made.
    const chunk = Buffer.alloc(Math.min(1 << 20, size - sent), n % 251);
    hash.update(chunk);
    sent += chunk.length;
    yield chunk;
  }
  yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
}

function upload(hash: ReturnType<typeof createHash>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/files`, { method: "POST", headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` } }, (res) => {
      res.resume().on("end", () => resolve(res.statusCode!));
    });
    req.on("error", reject);
    Readable.from(body(hash)).pipe(req);
  });
}

function download(): Promise<{ status: number; bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}/files/${name}`, (res) => {
        const hash = createHash("sha256");
        let bytes = 0;
        res.on("data", (d: Buffer) => (hash.update(d), (bytes += d.length)));
        res.on("end", () => resolve({ status: res.statusCode!, bytes, sha256: hash.digest("hex") }));
      })
      .on("error", reject);
  });
}

const sent = createHash("sha256");
let t = performance.now();
const upStatus = await upload(sent);
const upMs = performance.now() - t;
t = performance.now();
const down = await download();
const downMs = performance.now() - t;
const removed = await fetch(`${url}/files/${name}`, { method: "DELETE" });
emit("RESULT", { upStatus, upMs, downStatus: down.status, downMs, intact: down.bytes === size && down.sha256 === sent.digest("hex"), deleteStatus: removed.status });
process.exit(0);
