import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/chromium.ts";
import { copyDemoHub, removeHubDir, startHub, type RunningHub } from "../helpers/index.ts";

// The demo hub's own frontend (public/) in headless Chromium against a real `fuse up`.
describe("the demo hub's frontend", () => {
  let dir: string;
  let hub: RunningHub;
  let browser: Browser;
  let page: Page;
  const failed: string[] = [];

  beforeAll(async () => {
    dir = copyDemoHub();
    hub = await startHub(dir);
    browser = await launchChromium();
    page = await browser.newPage();
    // A script error or a refused policy would show here.
    page.on("pageerror", (e) => failed.push(e.message));
    page.on("console", (m) => void (m.type() === "error" && failed.push(m.text())));
    await page.goto(`${hub.state.gatewayUrl!}/`);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    if (dir) removeHubDir(dir);
  });

  it("is served at the gateway's root and follows the live event stream", async () => {
    expect(await page.title()).toBe("Fuse demo");
    await expect.poll(() => page.locator("#live-status").textContent(), { timeout: 15_000 }).toBe("live");
  });

  it("calls an endpoint through /api and shows its reply", async () => {
    await page.locator("#hello button").click();
    await expect.poll(() => page.locator("#greeting").textContent(), { timeout: 15_000 }).toMatch(/^Hello, Ada! \(visit \d+\)$/);
  });

  it("shows each order placed as a live event, once each, newest first", async () => {
    await page.locator("#restock").click();
    await expect.poll(() => page.locator("#shop").textContent(), { timeout: 15_000 }).toBe("10 × widget in stock");
    const placed: string[] = [];
    for (let k = 0; k < 3; k++) {
      await page.locator("#shop").evaluate((e) => (e.textContent = ""));
      await page.locator("#order button[type=submit]").click();
      await expect.poll(() => page.locator("#shop").textContent(), { timeout: 15_000 }).toMatch(/^order \d+ placed$/);
      const id = /order (\d+) placed/.exec((await page.locator("#shop").textContent())!)![1]!;
      expect(placed).not.toContain(id);
      placed.push(id);
      await page.locator("#events li", { hasText: `order ${id}:` }).waitFor({ timeout: 15_000 });
    }
    const items = await page.locator("#events li").allTextContents();
    expect(items).toEqual(placed.reverse().map((id) => `order ${id}: 1 × widget`));
    const seqs = (await page.locator("#events li").evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-seq"))))).reverse();
    expect(new Set(seqs).size).toBe(3);
    expect(failed).toEqual([]);
  });

  it("keeps the dashboard at /dashboard", async () => {
    const dashboard = await browser.newPage();
    await dashboard.goto(`${hub.state.gatewayUrl!}/dashboard`);
    await dashboard.locator('tr[data-actor="greeter"]').waitFor({ timeout: 15_000 });
    await dashboard.close();
  });
});
