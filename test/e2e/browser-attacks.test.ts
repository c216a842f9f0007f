import { existsSync, readFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Browser, BrowserContext, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/chromium.ts";
import { createHubDir, removeHubDir, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request from Node, as curl or a script would send it (no Origin), with the headers given and nothing else. */
function send(url: string, method: string, target: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path: target, headers }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const codeOf = (answer: Answer) => (JSON.parse(answer.body) as { error?: { code: string } }).error?.code;

/** The page another site would serve: every request a page may send to another origin without asking first. */
function attackerPage(gateway: string): string {
  return `<!doctype html><html><body><script>
const G = ${JSON.stringify(gateway)};
const tries = [
  () => fetch(G + "/api/hub/shutdown", { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: "{}" }),
  () => fetch(G + "/api/hub/shutdown", { method: "POST", mode: "no-cors", body: new Blob(["{}"]) }),
  () => fetch(G + "/api/db/drop", { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: JSON.stringify({ table: "entries", confirm: "entries" }) }),
  () => fetch(G + "/api/db/drop", { method: "POST", mode: "no-cors", body: new Blob([JSON.stringify({ table: "entries", confirm: "entries" })]) }),
  () => fetch(G + "/api/hub/shutdown", { method: "POST", mode: "no-cors" }),
  () => { const f = new FormData(); f.append("file", new Blob(["<scr" + "ipt>alert(1)</scr" + "ipt>"], { type: "text/html" }), "planted.html"); return fetch(G + "/files", { method: "POST", mode: "no-cors", body: f }); },
  () => fetch(G + "/api/hub/list", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
  () => fetch(G + "/files", { mode: "no-cors" }),
];
(async () => {
  const outcomes = [];
  for (const t of tries) outcomes.push(await t().then((r) => r.type, (e) => "refused by the browser: " + e.name));
  window.outcomes = outcomes;
  document.title = "done";
})();
</script></body></html>`;
}

/** A form with no fields that submits itself to the gateway: a top-level POST, what a link to a hostile page can do. */
function formPage(gateway: string, target: string, enctype: string): string {
  return `<!doctype html><html><body><form method="POST" enctype="${enctype}" action="${gateway}${target}"></form><script>document.forms[0].submit()</script></body></html>`;
}

describe("the local gateway against pages of other sites", () => {
  let dir: string;
  let hub: RunningHub;
  let gateway: string;
  let attacker: Server;
  let attackerUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  /** Every request the browser sent to the gateway, with the status it got back. */
  const seen: { method: string; url: string; status?: number }[] = [];

  beforeAll(async () => {
    dir = createHubDir({ files: { "schemas/entries.json": "schemas/entries.json" } });
    hub = await startHub(dir);
    gateway = hub.state.gatewayUrl!;
    // Another origin on the same machine: 127.0.0.1 on another port.
    attacker = createServer((req, res) => {
      const page = req.url === "/shutdown-form" ? formPage(gateway, "/api/hub/shutdown", "text/plain")
        : req.url === "/upload-form" ? formPage(gateway, "/files", "multipart/form-data")
        : attackerPage(gateway);
      res.writeHead(200, { "content-type": "text/html" }).end(page);
    });
    await new Promise<void>((r) => attacker.listen(0, "127.0.0.1", r));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    browser = await launchChromium();
    context = await browser.newContext();
    const entries = new Map<Request, { method: string; url: string; status?: number }>();
    context.on("request", (r) => {
      if (!r.url().startsWith(gateway)) return;
      const entry = { method: r.method(), url: r.url().slice(gateway.length) };
      entries.set(r, entry);
      seen.push(entry);
    });
    context.on("response", (r) => {
      const entry = entries.get(r.request());
      if (entry) entry.status = r.status();
    });
    // A request the browser stopped itself (a cross-origin JSON POST whose preflight was refused)
    // gets no response; an opaque answer's body is dropped after it came (that also counts as failed).
    context.on("requestfailed", (r) => {
      const entry = entries.get(r);
      if (entry && entry.status === undefined) entry.status = 0;
    });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (attacker ? attacker.close(r) : r(undefined)));
    await hub?.stop();
    if (dir) removeHubDir(dir);
  });

  const stillUp = async () => {
    const tables = await hub.call<{ tables: { name: string }[] }>("db.tables", {});
    expect(tables.tables.map((t) => t.name)).toContain("entries");
    const res = await fetch(`${gateway}/api/hub/list`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(200);
  };

  it("refuses every cross-site fetch (text/plain, no type, empty, multipart) and the hub stays up", async () => {
    const page = await context.newPage();
    const before = seen.length;
    await page.goto(`${attackerUrl}/`);
    await page.waitForFunction("document.title === 'done'", undefined, { timeout: 20_000 });
    const outcomes = await page.evaluate<string[]>("window.outcomes");
    const tried = seen.slice(before);
    await waitFor("every answer", () => tried.every((s) => s.status !== undefined), 10_000).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify(tried)}`);
    });
    expect(outcomes).toHaveLength(8);
    expect(tried.map((s) => `${s.method} ${s.url} ${s.status}`)).toEqual([
      "POST /api/hub/shutdown 403",
      "POST /api/hub/shutdown 403",
      "POST /api/db/drop 403",
      "POST /api/db/drop 403",
      "POST /api/hub/shutdown 403",
      "POST /files 403",
      // JSON from another origin needs a preflight, which the gateway does not grant: the browser stops there.
      "POST /api/hub/list 0",
      "GET /files 403",
    ]);
    expect(outcomes[6]).toBe("refused by the browser: TypeError");
    await page.close();
    await stillUp();
    expect((await fetch(`${gateway}/files`).then((r) => r.json()) as { name: string }[]).map((f) => f.name)).not.toContain("planted.html");
  });

  it("refuses a top-level empty form POST to hub.shutdown and a multipart form to /files, naming the origin", async () => {
    for (const [form, target] of [["/shutdown-form", "/api/hub/shutdown"], ["/upload-form", "/files"]] as const) {
      const page = await context.newPage();
      const landed = page.waitForURL(`${gateway}${target}`, { timeout: 15_000 });
      await page.goto(`${attackerUrl}${form}`);
      await landed;
      const body = JSON.parse((await page.locator("body").textContent()) ?? "") as { error: { code: string; message: string } };
      expect(body.error.code).toBe("FORBIDDEN");
      expect(body.error.message).toContain(`Origin "${attackerUrl}"`);
      await page.close();
    }
    expect(seen.filter((s) => s.url === "/api/hub/shutdown" && s.status === 403).length).toBeGreaterThanOrEqual(4);
    await stillUp();
  });

  it("refuses a foreign Host (DNS rebinding) on the API, the pages and the files", async () => {
    const port = new URL(gateway).port;
    const answers = await Promise.all(
      [["POST", "/api/hub/shutdown"], ["POST", "/api/hub/list"], ["GET", "/"], ["GET", "/api"], ["GET", "/files"]].map(([method, target]) =>
        send(gateway, method!, target!, { host: `evil.example:${port}`, "content-type": "application/json" }, method === "POST" ? "{}" : undefined),
      ),
    );
    expect(answers.map((a) => `${a.status} ${codeOf(a)}`)).toEqual(Array(5).fill("403 FORBIDDEN"));
    expect((JSON.parse(answers[0]!.body) as { error: { message: string } }).error.message).toContain(`Host "evil.example:${port}" is not this gateway's`);
    await stillUp();
  });

  it("takes only JSON on POST: text/plain, a form type, no type and an empty body without type are 415", async () => {
    const tries: [Record<string, string>, string][] = [
      [{ "content-type": "text/plain" }, "{}"],
      [{ "content-type": "application/x-www-form-urlencoded" }, "a=1"],
      [{ "content-type": "multipart/form-data; boundary=x" }, "--x--\r\n"],
      [{}, "{}"],
      [{ "content-length": "0" }, ""],
      [{ "content-type": "text/plain", "content-length": "0" }, ""],
    ];
    const answers = await Promise.all(tries.map(([headers, body]) => send(gateway, "POST", "/api/hub/shutdown", headers, body)));
    expect(answers.map((a) => `${a.status} ${codeOf(a)}`)).toEqual(Array(tries.length).fill("415 UNSUPPORTED_MEDIA_TYPE"));
    expect((JSON.parse(answers[4]!.body) as { error: { message: string } }).error.message).toMatchInlineSnapshot(
      `"POST /api/hub/shutdown takes only JSON: send Content-Type: application/json (an empty body too), got none"`,
    );
    await stillUp();
  });

  it("still serves programs without Origin that send JSON, and the gateway's own pages", async () => {
    const list = await send(gateway, "POST", "/api/hub/list", { "content-type": "application/json" }, "{}");
    expect(list.status).toBe(200);
    const page = await context.newPage();
    const violations: string[] = [];
    page.on("console", (m) => m.type() === "error" && violations.push(m.text()));
    await page.goto(gateway);
    const status = await page.evaluate(async () => (await fetch("/api/hub/list", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status);
    expect(status).toBe(200);
    // The inline style runs under the page's CSP (allowed by its hash), and nothing was blocked.
    expect(await page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor")).toBe("rgb(29, 35, 48)");
    await page.goto(`${gateway}/docs`);
    expect(await page.evaluate("getComputedStyle(document.body).maxWidth")).toBe("960px");
    expect(violations.filter((v) => /Content Security Policy/i.test(v))).toEqual([]);
    await page.close();
  });

  it("serves its pages with CSP, no framing and nosniff", async () => {
    for (const target of ["/dashboard", "/docs"]) {
      const res = await send(gateway, "GET", target);
      expect(res.headers["content-security-policy"], target).toMatch(/default-src 'none'; script-src 'self'.*; style-src 'sha256-[^']+'.*frame-ancestors 'none'/);
      expect([res.headers["x-frame-options"], res.headers["x-content-type-options"], res.headers["referrer-policy"]], target).toEqual(["DENY", "nosniff", "no-referrer"]);
    }
  });

  it("serves a stored HTML file as an inert download: attachment, nosniff, sandbox CSP; its script never runs on the gateway's origin", async () => {
    const boundary = "----fuse";
    // Were it to run on the gateway's origin, this script could call anything: it asks for a shutdown.
    const html = `<html><body><script>fetch("/api/hub/shutdown", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })</script></body></html>`;
    const upload = await send(gateway, "POST", "/files", { "content-type": `multipart/form-data; boundary=${boundary}` },
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="note.html"\r\nContent-Type: text/html\r\n\r\n${html}\r\n--${boundary}--\r\n`);
    expect(upload.status).toBe(201);
    const file = await send(gateway, "GET", "/files/note.html");
    expect(file.status).toBe(200);
    expect(file.body).toBe(html);
    expect({
      disposition: file.headers["content-disposition"],
      nosniff: file.headers["x-content-type-options"],
      csp: file.headers["content-security-policy"],
    }).toEqual({ disposition: `attachment; filename="note.html"; filename*=UTF-8''note.html`, nosniff: "nosniff", csp: "sandbox; default-src 'none'" });
    // A victim who opens the link gets a download, not a page.
    const page = await context.newPage();
    const before = seen.length;
    const download = page.waitForEvent("download", { timeout: 15_000 });
    await page.goto(`${gateway}/files/note.html`).catch(() => undefined);
    expect((await download).suggestedFilename()).toBe("note.html");
    await page.close();
    expect(seen.slice(before).map((s) => `${s.method} ${s.url}`)).toEqual(["GET /files/note.html"]);
    await stillUp();
  });
});

describe("fuse up with the gateway on a network address", () => {
  let dir: string;
  afterAll(() => dir && removeHubDir(dir));

  it("refuses gateway.host 0.0.0.0 without authentication, naming the key and what to add, and binds nothing", async () => {
    dir = createHubDir({ config: "gateway:\n  host: 0.0.0.0\n" });
    const result = await runCli(dir, ["up"], 30_000);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('config/fuse.yaml:2 gateway.host: expected a loopback address (127.0.0.1, ::1 or localhost) while the gateway has no authentication');
    expect(result.stderr).toContain('add "auth: none" under gateway');
    expect(existsSync(path.join(dir, ".fuse/state.json"))).toBe(false);
  });
});

describe("gateway.auth: none", () => {
  let dir: string;
  let hub: RunningHub;
  beforeAll(async () => {
    // Loopback here (tests bind 127.0.0.1 only); the unit test of the decision covers 0.0.0.0.
    dir = createHubDir({ config: "gateway:\n  auth: none\n" });
    hub = await startHub(dir);
  });
  afterAll(async () => {
    await hub?.stop();
    if (dir) removeHubDir(dir);
  });

  it("is warned about at start, and the browser guards still hold", async () => {
    const log = path.join(dir, ".fuse/logs/gateway.log");
    const warning = await waitFor("the warning in gateway.log", () => {
      const lines = existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((l) => l.includes("without authentication")) : [];
      return lines.length ? (JSON.parse(lines[0]!) as { lvl: string; msg: string; host: string }) : undefined;
    }, 15_000);
    expect(warning).toMatchObject({ lvl: "warn", msg: "gateway serves every endpoint without authentication (gateway.auth: none)", host: "127.0.0.1" });
    // And on the console of `fuse up`, where whoever started the hub sees it.
    await waitFor("the warning on the console", () => hub.output().includes("gateway serves every endpoint without authentication"), 15_000);
    const refused = await send(hub.state.gatewayUrl!, "POST", "/api/hub/shutdown", { origin: "http://127.0.0.1:1", "content-type": "application/json" }, "{}");
    expect(refused.status).toBe(403);
  });
});
