import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, startHub, type RunningHub } from "../helpers/index.ts";

const SIZE = 200 * 1024 * 1024;
const BOUNDARY = "fuse-test-boundary";

/** 200 MB of deterministic bytes, made as they are sent: the test never holds the file. */
function* chunks(): Generator<Buffer> {
  const size = 1024 * 1024;
  // A new buffer each time: a written chunk may still be queued when the next is made.
  for (let sent = 0, n = 0; sent < SIZE; sent += size, n++) yield Buffer.alloc(size, n % 251);
}

function peakRssKiB(pid: number): number {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
}

function upload(url: string, hash: ReturnType<typeof createHash>): Promise<{ status: number; body: string }> {
  const body = Readable.from(
    (function* () {
      yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/x-big\r\n\r\n`);
      for (const c of chunks()) {
        hash.update(c);
        yield c;
      }
      yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
    })(),
  );
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/files`, { method: "POST", headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on("error", reject);
    body.pipe(req);
  });
}

function download(url: string): Promise<{ status: number; size: number; sha256: string; type: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}/files/big.bin`, (res) => {
        const hash = createHash("sha256");
        let size = 0;
        res.on("data", (d: Buffer) => (hash.update(d), (size += d.length)));
        res.on("end", () => resolve({ status: res.statusCode!, size, sha256: hash.digest("hex"), type: String(res.headers["content-type"]) }));
      })
      .on("error", reject);
  });
}

describe("files through the gateway", () => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    dir = createHubDir({ actors: { worker: "worker" } });
    hub = await startHub(dir);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("moves a 200 MB file up (multipart) and down, streamed: same hash, the gateway never holding it whole", async () => {
    const url = hub.state.gatewayUrl!;
    const gatewayPid = (await hub.actor("gateway")).pids[0]!;
    const before = peakRssKiB(gatewayPid);
    const sent = createHash("sha256");
    const up = await upload(url, sent);
    expect(up.status, up.body).toBe(201);
    expect(JSON.parse(up.body)).toEqual([expect.objectContaining({ name: "big.bin", size: SIZE, contentType: "application/x-big" })]);
    const down = await download(url);
    expect(down).toEqual({ status: 200, size: SIZE, sha256: sent.digest("hex"), type: "application/x-big" });
    // Holding the file whole, on the way up or down, would raise the peak by at least its
    // size; streaming leaves it far below. The bound is half the file: wide of both, so the
    // test says "never buffered whole" without asserting a figure (bench/ measures that).
    const growthKiB = peakRssKiB(gatewayPid) - before;
    expect(growthKiB * 1024, `peak RSS grew by ${(growthKiB / 1024).toFixed(1)} MiB`).toBeLessThan(SIZE / 2);
  }, 240_000);

  it("lists and deletes files, and answers a missing one with a JSON 404", async () => {
    const url = hub.state.gatewayUrl!;
    const list = (await (await fetch(`${url}/files`)).json()) as { name: string }[];
    expect(list.map((f) => f.name)).toContain("big.bin");
    expect((await fetch(`${url}/files/big.bin`, { method: "DELETE" })).status).toBe(200);
    const missing = await fetch(`${url}/files/big.bin`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });

  it("refuses a POST that is not multipart with 415", async () => {
    const res = await fetch(`${hub.state.gatewayUrl}/files`, { method: "POST", body: "x", headers: { "content-type": "text/plain" } });
    expect(res.status).toBe(415);
  });
});
