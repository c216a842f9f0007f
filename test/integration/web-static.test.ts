import { createHash } from "node:crypto";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

// Frontends served by the gateway of a real hub: the hub's public/ folder at `/` by
// convention, and a single-page app at /admin from fuse.yaml's `web`. Requests go out as raw
// HTTP, so that paths reach the gateway exactly as written (no client normalises them).

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(base: string, rawPath: string, headers: Record<string, string> = {}, method = "GET"): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: rawPath, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

const SECRET = "the secret outside the folder";
const INLINE = "document.title = 'inline';";
const INDEX = `<!doctype html><html><head><title>demo</title><script>${INLINE}</script><link rel="stylesheet" href="style.css"></head><body><script src="app.3f2a1b.js"></script></body></html>`;
const SCRIPT = `// app\n${"console.log('fuse frontend line');\n".repeat(200)}`;
const ADMIN_INDEX = "<!doctype html><html><body><div id=admin>admin app</div><script src=\"/admin/assets/main-BX7kq1a2.js\"></script></body></html>";
const BIG = "a line of a large compressible text file served from disk\n".repeat(40_000);
const PNG = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

describe("a hub's frontends", () => {
  let dir: string;
  let hub: RunningHub;
  let url: string;

  beforeAll(async () => {
    dir = createHubDir({
      config: 'web:\n  /admin: { dir: apps/admin/dist, spa: true }\n',
      actors: { pages: "pages" },
    });
    const pub = path.join(dir, "public");
    mkdirSync(path.join(pub, "guide"), { recursive: true });
    writeFileSync(path.join(pub, "index.html"), INDEX);
    writeFileSync(path.join(pub, "app.3f2a1b.js"), SCRIPT);
    writeFileSync(path.join(pub, "style.css"), "body { color: #333 }\n");
    writeFileSync(path.join(pub, "logo.png"), PNG);
    writeFileSync(path.join(pub, "big.txt"), BIG);
    writeFileSync(path.join(pub, "hello"), "a file that an endpoint's route shadows");
    writeFileSync(path.join(pub, ".env"), SECRET);
    writeFileSync(path.join(pub, "guide", "index.html"), "<!doctype html><p>guide</p>");
    writeFileSync(path.join(dir, "secret.txt"), SECRET);
    mkdirSync(path.join(dir, "outside"));
    writeFileSync(path.join(dir, "outside", "secret.txt"), SECRET);
    symlinkSync(path.join(dir, "secret.txt"), path.join(pub, "escape.txt"));
    symlinkSync(path.join(dir, "outside"), path.join(pub, "outdir"));
    const admin = path.join(dir, "apps", "admin", "dist");
    mkdirSync(path.join(admin, "assets"), { recursive: true });
    writeFileSync(path.join(admin, "index.html"), ADMIN_INDEX);
    writeFileSync(path.join(admin, "assets", "main-BX7kq1a2.js"), "console.log('admin');\n");
    hub = await startHub(dir);
    url = hub.state.gatewayUrl!;
    // The endpoint routes are known once discovery has seen the actor.
    await waitFor("the route GET /hello", async () => (await get(url, "/hello")).headers["content-type"]?.startsWith("application/json") === true, 20_000);
  }, 120_000);

  afterAll(async () => {
    await hub?.stop();
    if (dir) removeHubDir(dir);
  });

  it("serves each file with its content type and the security headers, and index.html for /", async () => {
    const index = await get(url, "/");
    expect(index.status).toBe(200);
    expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(index.body.toString()).toBe(INDEX);
    // A page of the hub owner's own: inline scripts present in the file run (by hash), nothing injected does.
    const hash = createHash("sha256").update(INLINE).digest("base64");
    expect(index.headers["content-security-policy"]).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(index.headers["content-security-policy"]).toContain("frame-ancestors 'self'");
    expect(index.headers["x-content-type-options"]).toBe("nosniff");
    expect(index.headers["content-disposition"]).toBeUndefined();
    const types = await Promise.all(["/app.3f2a1b.js", "/style.css", "/logo.png", "/guide/", "/admin/assets/main-BX7kq1a2.js"].map((p) => get(url, p)));
    expect(types.map((a) => [a.status, a.headers["content-type"]])).toEqual([
      [200, "text/javascript; charset=utf-8"],
      [200, "text/css; charset=utf-8"],
      [200, "image/png"],
      [200, "text/html; charset=utf-8"],
      [200, "text/javascript; charset=utf-8"],
    ]);
    expect(types[2]!.body.equals(PNG)).toBe(true);
    expect(types[0]!.headers["content-security-policy"]).toBeUndefined();
  });

  it("answers If-None-Match with 304 and no body, and a changed file with a new ETag", async () => {
    const first = await get(url, "/style.css");
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get(url, "/style.css", { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
    writeFileSync(path.join(dir, "public", "style.css"), "body { color: #000 }\n");
    const changed = await get(url, "/style.css", { "if-none-match": etag });
    expect(changed.status).toBe(200);
    expect(changed.body.toString()).toBe("body { color: #000 }\n");
    expect(changed.headers.etag).not.toBe(etag);
  });

  it("caches hashed names for a year and makes index.html revalidate", async () => {
    expect((await get(url, "/app.3f2a1b.js")).headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect((await get(url, "/admin/assets/main-BX7kq1a2.js")).headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect((await get(url, "/")).headers["cache-control"]).toBe("no-cache");
    expect((await get(url, "/style.css")).headers["cache-control"]).toBe("no-cache");
  });

  it("compresses what gains from it with brotli or gzip as the client accepts, and nothing else", async () => {
    const br = await get(url, "/app.3f2a1b.js", { "accept-encoding": "gzip, deflate, br" });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers.vary).toBe("Accept-Encoding");
    expect(brotliDecompressSync(br.body).toString()).toBe(SCRIPT);
    expect(br.body.length).toBeLessThan(SCRIPT.length / 4);
    const gzip = await get(url, "/app.3f2a1b.js", { "accept-encoding": "gzip" });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gzip.body).toString()).toBe(SCRIPT);
    // A 304 holds for every encoding of the same bytes.
    expect((await get(url, "/app.3f2a1b.js", { "accept-encoding": "gzip", "if-none-match": br.headers.etag! })).status).toBe(304);
    expect((await get(url, "/app.3f2a1b.js", { "accept-encoding": "br;q=0, gzip" })).headers["content-encoding"]).toBe("gzip");
    expect((await get(url, "/app.3f2a1b.js")).headers["content-encoding"]).toBeUndefined();
    // An image is compressed already; a tiny file gains nothing.
    expect((await get(url, "/logo.png", { "accept-encoding": "br" })).headers["content-encoding"]).toBeUndefined();
    expect((await get(url, "/style.css", { "accept-encoding": "br" })).headers["content-encoding"]).toBeUndefined();
    // A file too large to keep in memory is compressed as it streams from disk.
    const big = await get(url, "/big.txt", { "accept-encoding": "gzip" });
    expect(big.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(big.body).toString()).toBe(BIG);
    expect((await get(url, "/big.txt")).body.toString()).toBe(BIG);
  });

  it("answers a byte range with 206, of a kept or a streamed file, and an impossible one with 416", async () => {
    const kept = await get(url, "/app.3f2a1b.js", { range: "bytes=3-9", "accept-encoding": "br" });
    expect([kept.status, kept.headers["content-range"], kept.headers["content-encoding"], kept.body.toString()]).toEqual([206, `bytes 3-9/${SCRIPT.length}`, undefined, SCRIPT.slice(3, 10)]);
    const tail = await get(url, "/big.txt", { range: "bytes=-10" });
    expect([tail.status, tail.body.toString()]).toEqual([206, BIG.slice(-10)]);
    const from = await get(url, "/big.txt", { range: `bytes=${BIG.length - 5}-` });
    expect([from.status, from.body.toString()]).toEqual([206, BIG.slice(-5)]);
    const beyond = await get(url, "/logo.png", { range: "bytes=9999-" });
    expect([beyond.status, beyond.headers["content-range"]]).toEqual([416, `bytes */${PNG.length}`]);
    // If-Range with another version's tag: the whole current file.
    const stale = await get(url, "/app.3f2a1b.js", { range: "bytes=0-1", "if-range": '"old"' });
    expect([stale.status, stale.body.length]).toEqual([200, SCRIPT.length]);
  });

  it("refuses every path that could leave the folder, encoded or through a symlink", async () => {
    const attempts = [
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E%2Fsecret.txt",
      "/..%2fsecret.txt",
      "/..%5csecret.txt",
      "/%5c..%5csecret.txt",
      "/..\\secret.txt",
      "/guide/..%2f..%2fsecret.txt",
      "/admin/..%2f..%2fsecret.txt",
      "/admin/%2e%2e/%2e%2e/secret.txt",
      "//secret.txt",
      "/escape.txt",
      "/outdir/secret.txt",
      "/.env",
      "/%2eenv",
      "/guide%00/index.html",
    ];
    const answers = await Promise.all(attempts.map((p) => get(url, p)));
    const leaked = answers.filter((a) => a.body.toString().includes(SECRET)).length;
    expect(leaked).toBe(0);
    expect(answers.map((a, i) => [attempts[i], a.status >= 400 && a.status < 500])).toEqual(attempts.map((p) => [p, true]));
    // The files are there: only the way of asking was refused.
    expect((await get(url, "/guide/index.html")).status).toBe(200);
  });

  it("falls back to index.html for an SPA's page navigations, not for missing assets or outside SPAs", async () => {
    const deep = await get(url, "/admin/settings/profile", { accept: "text/html,application/xhtml+xml" });
    expect(deep.status).toBe(200);
    expect(deep.body.toString()).toBe(ADMIN_INDEX);
    expect(deep.headers["cache-control"]).toBe("no-cache");
    const asset = await get(url, "/admin/assets/missing.js", { accept: "*/*" });
    expect(asset.status).toBe(404);
    expect(asset.headers["content-type"]).toMatch(/^application\/json/);
    // The root frontend is no SPA: an unknown page is the gateway's JSON 404.
    expect((await get(url, "/no/such/page", { accept: "text/html" })).status).toBe(404);
    // The mount itself redirects to its folder form, so relative links resolve.
    const bare = await get(url, "/admin?x=1");
    expect([bare.status, bare.headers.location]).toEqual([301, "/admin/?x=1"]);
    expect((await get(url, "/admin/")).body.toString()).toBe(ADMIN_INDEX);
  });

  it("lets endpoint routes come before the files at / and reports a route under /admin as a conflict", async () => {
    const hello = await get(url, "/hello");
    expect(JSON.parse(hello.body.toString())).toEqual({ from: "endpoint" });
    const conflict = await get(url, "/admin/users");
    expect(conflict.status).toBe(409);
    const body = JSON.parse(conflict.body.toString()) as { error: { code: string; details: { claimants: string[] } } };
    expect(body.error.code).toBe("CONFLICT");
    expect(body.error.details.claimants).toEqual(["web /admin", "pages.users"]);
    const info = await hub.call<{ conflicts: string[] }>("gateway.info");
    expect(info.conflicts).toContain('route GET /admin/users is claimed by "web /admin" and "pages.users"; it is not served until only one claims it');
  });

  it("keeps the gateway's own paths: the dashboard at /dashboard, the API, the docs and health", async () => {
    const dashboard = await get(url, "/dashboard");
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.toString()).toContain("/dashboard/app.js");
    expect((await get(url, "/api")).headers["content-type"]).toMatch(/^application\/json/);
    expect((await get(url, "/docs")).body.toString()).toContain("pages.hello");
    expect((await get(url, "/health")).status).toBe(200);
    // Only GET and HEAD are served from a folder.
    const head = await get(url, "/style.css", {}, "HEAD");
    expect([head.status, head.body.length, Number(head.headers["content-length"])]).toEqual([200, 0, 21]);
    expect((await get(url, "/style.css", {}, "DELETE")).status).toBe(404);
  });

  it("lets a link from another site open a frontend's page, never read its files from a script", async () => {
    const navigation = await get(url, "/admin/settings", { accept: "text/html", "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" });
    expect(navigation.status).toBe(200);
    const script = await get(url, "/admin/settings", { "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors", origin: "https://elsewhere.example" });
    expect(script.status).toBe(403);
  });
});
