import { readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATEWAY_CERT_FILE, SESSION_COOKIE } from "../../runtime/protocol/index.ts";
import { apiKeyFile, createApiKey } from "../../runtime/security/index.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { createHubDir, removeHubDir, runCli, startHub, type RunningHub } from "../helpers/index.ts";

/** A page of another origin that calls the gateway with an API key, as a web app would. */
function appPage(gateway: string, key: string): string {
  return `<!doctype html><html><body><script>
fetch(${JSON.stringify(gateway)} + "/api", { headers: { authorization: "Bearer ${key}", "x-fuse-csrf": "none" } })
  .then(async (r) => { window.outcome = r.status + " " + ((await r.json()).actors ? "actors" : "?"); }, (e) => { window.outcome = e.name; })
  .finally(() => { document.title = "done"; });
</script></body></html>`;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("the dashboard of a hub with API keys, over HTTPS", () => {
  let dir: string;
  let hub: RunningHub;
  let gateway: string;
  let adminKey: string;
  let browser: Browser;
  const servers: Server[] = [];
  let listed: string;
  let unlisted: string;

  beforeAll(async () => {
    const app = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(appPage(gateway, adminKey)));
    const other = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(appPage(gateway, adminKey)));
    servers.push(app, other);
    listed = await listen(app);
    unlisted = await listen(other);
    dir = createHubDir({ config: `gateway:\n  tls:\n    selfSigned: true\n  auth:\n    keys: true\n  cors:\n    origins: ["${listed}"]\n` });
    adminKey = createApiKey(apiKeyFile(dir), { name: "ops", roles: ["admin"] }).key;
    hub = await startHub(dir);
    gateway = hub.state.gatewayUrl!;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await new Promise((r) => s.close(r));
    await hub?.stop();
    if (dir) removeHubDir(dir);
  });

  // The hub's certificate is self-signed: the browser is told to accept it, as a user would once.
  const freshContext = () => browser.newContext({ ignoreHTTPSErrors: true });

  async function signIn(page: Page, key: string): Promise<void> {
    await page.locator("#signin-key").fill(key);
    await page.locator("#signin button[type=submit]").click();
  }

  it("shows the sign-in form with the page's security headers, refuses a wrong key and signs in with a right one", async () => {
    const context = await freshContext();
    const page = await context.newPage();
    const answer = await page.goto(`${gateway}/`);
    const headers = answer!.headers();
    expect(headers["content-security-policy"]).toContain("default-src 'none'");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["strict-transport-security"]).toBe("max-age=31536000");
    await page.locator("#signin").waitFor({ state: "visible" });
    expect(await page.locator("main").isHidden()).toBe(true);

    await signIn(page, "fuse_0000_wrong");
    await expect.poll(() => page.locator("#signin-error").textContent()).toMatch(/API key/);
    expect((await context.cookies()).find((c) => c.name === SESSION_COOKIE)).toBeUndefined();

    const setCookie = page.waitForResponse((r) => r.url().endsWith("/auth/session") && r.request().method() === "POST");
    await signIn(page, adminKey);
    const raw = (await (await setCookie).headerValue("set-cookie")) ?? "";
    expect(raw).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=\\d+; Secure$`));
    await page.locator("#signout").waitFor({ state: "visible" });
    const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE)!;
    expect({ httpOnly: cookie.httpOnly, sameSite: cookie.sameSite, secure: cookie.secure }).toEqual({ httpOnly: true, sameSite: "Strict", secure: true });
    // The dashboard works signed in: its POSTs (hub.list) carry the CSRF token and fill the table.
    await page.locator("#actors tbody tr").first().waitFor({ timeout: 20_000 });
    await context.close();
  });

  it("refuses a cookie-authenticated change without the CSRF header (403) and accepts it with the header", async () => {
    const context = await freshContext();
    const page = await context.newPage();
    await page.goto(`${gateway}/`);
    await signIn(page, adminKey);
    await page.locator("#signout").waitFor({ state: "visible" });
    // XMLHttpRequest is not the page's wrapped fetch: it sends the cookie and nothing else.
    const send = (withToken: boolean) =>
      page.evaluate<{ status: number; code: string }>(`(async () => {
        const session = await (await fetch("/auth/session")).json();
        const xhr = new XMLHttpRequest();
        xhr.open("DELETE", "/auth/session");
        if (${withToken}) xhr.setRequestHeader("X-Fuse-Csrf", session.csrf);
        const done = new Promise((r) => (xhr.onloadend = r));
        xhr.send();
        await done;
        return { status: xhr.status, code: xhr.status === 200 ? "" : JSON.parse(xhr.responseText).error.code };
      })()`);
    expect(await send(false)).toEqual({ status: 403, code: "FORBIDDEN" });
    const still = await page.evaluate(() => fetch("/auth/session").then((r) => r.json()));
    expect(still).toMatchObject({ required: true, signedIn: true, principal: { roles: ["admin"] } });
    expect(await send(true)).toEqual({ status: 200, code: "" });
    expect(await page.evaluate(() => fetch("/auth/session").then((r) => r.json()))).toEqual({ required: true, signedIn: false });
    await context.close();
  });

  it("signs Chromium in once through the link of fuse dashboard --print-link, and refuses the link the second time", async () => {
    const printed = await runCli(dir, ["dashboard", "--print-link"]);
    expect(printed.stderr).toBe("");
    expect(printed.code).toBe(0);
    const link = printed.stdout.trim();
    expect(link).toMatch(new RegExp(`^${gateway.replaceAll(".", "\\.")}/auth/link/[A-Za-z0-9_-]{43}$`));

    const first = await freshContext();
    const page = await first.newPage();
    await page.goto(link);
    expect(page.url()).toBe(`${gateway}/dashboard`);
    await page.locator("#signout").waitFor({ state: "visible" });
    expect(await page.locator("#who").textContent()).toMatch(/^local:/);
    expect((await first.cookies()).find((c) => c.name === SESSION_COOKIE)).toMatchObject({ httpOnly: true, sameSite: "Strict", secure: true });
    await first.close();

    const second = await freshContext();
    const again = await second.newPage();
    const refused = await again.goto(link);
    expect(refused!.status()).toBe(401);
    expect(JSON.parse(await refused!.text())).toMatchObject({ error: { code: "UNAUTHENTICATED", message: "this sign-in link was used already or has expired: run fuse dashboard for a new one" } });
    expect((await second.cookies()).find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    await second.close();
  });

  it("lets a page of a listed origin call the gateway across origins (preflight and request), and not one of another origin", async () => {
    const context = await freshContext();
    const outcomes: string[] = [];
    for (const origin of [listed, unlisted]) {
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      await page.waitForFunction("document.title === 'done'", undefined, { timeout: 20_000 });
      outcomes.push(await page.evaluate<string>("window.outcome"));
      await page.close();
    }
    expect(outcomes).toEqual(["200 actors", "TypeError"]);
    // The preflights themselves (a browser does not show them to pages), as Chromium sent them.
    const ca = readFileSync(path.join(dir, GATEWAY_CERT_FILE), "utf8");
    const preflight = (origin: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const req = httpsRequest(`${gateway}/api`, { method: "OPTIONS", ca, headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization,x-fuse-csrf" } }, (res) => {
          res.resume();
          resolve({ status: res.statusCode, allowOrigin: res.headers["access-control-allow-origin"], allowHeaders: res.headers["access-control-allow-headers"], maxAge: res.headers["access-control-max-age"] });
        });
        req.on("error", reject);
        req.end();
      });
    expect(await preflight(listed)).toEqual({ status: 204, allowOrigin: listed, allowHeaders: "authorization,x-fuse-csrf", maxAge: "600" });
    expect(await preflight(unlisted)).toEqual({ status: 403, allowOrigin: undefined, allowHeaders: undefined, maxAge: undefined });
    await context.close();
  });
});
