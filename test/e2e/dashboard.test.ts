import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/chromium.ts";
import { REPO, copyDemoHub, removeHubDir, startHub, type RunningHub } from "../helpers/index.ts";

const ARTIFACTS = path.join(REPO, "test/.artifacts");

// The dashboard in headless Chromium against a real `fuse up` of the demo hub.
describe("dashboard", () => {
  let dir: string;
  let hub: RunningHub;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = copyDemoHub();
    hub = await startHub(dir);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${hub.state.gatewayUrl!}/dashboard`);
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    if (dir) removeHubDir(dir);
  });

  const restartsOf = async (actor: string) => Number(await page.locator(`tr[data-actor="${actor}"] td[data-field="restarts"]`).textContent());

  it("shows the hub's actors with their status and instances", async () => {
    const greeter = page.locator('tr[data-actor="greeter"]');
    await greeter.waitFor();
    await expect.poll(() => greeter.locator('td[data-field="instances"]').textContent(), { timeout: 15_000 }).toBe("2/2");
    await expect.poll(() => greeter.locator('td[data-field="status"]').textContent(), { timeout: 15_000 }).toBe("running");
    for (const name of ["counter", "gateway"]) await page.locator(`tr[data-actor="${name}"]`).waitFor();
  });

  it("restarts an actor from its button and shows the restart count change", async () => {
    const before = await restartsOf("counter");
    await page.locator('tr[data-actor="counter"] button[data-action="restart"]').click();
    await expect.poll(() => restartsOf("counter"), { timeout: 30_000 }).toBeGreaterThan(before);
    await expect.poll(() => page.locator('tr[data-actor="counter"] td[data-field="status"]').textContent(), { timeout: 30_000 }).toBe("running");
  });

  it("calls an endpoint from its form and shows the reply with its trace id", async () => {
    await page.locator("details.endpoint", { hasText: "greeter.hello" }).locator("summary").click();
    const form = page.locator("details.endpoint", { hasText: "greeter.hello" });
    await form.locator("textarea").fill('{"name":"Dashboard"}');
    await form.locator('button[data-call="greeter.hello"]').click();
    await expect.poll(() => form.locator("pre.result").textContent(), { timeout: 15_000 }).toContain("Hello, Dashboard!");
    expect(await form.locator("pre.result").textContent()).toMatch(/^200 {2}trace [0-9a-f]{32}/);
  });

  it("shows a task run's step graph with each step coloured by its state", async () => {
    const run = await hub.call<{ id: string; status: string }>("taskmaster.run", { task: "welcome-team", input: { team: "ui", members: ["Ada", "Grace"], announce: false }, wait: true });
    expect(run.status).toBe("succeeded");
    const link = page.locator(`tr[data-run="${run.id}"] a`);
    await link.waitFor({ timeout: 15_000 });
    await link.click();
    const steps = page.locator("#dag g[data-step]");
    await expect.poll(() => steps.count(), { timeout: 15_000 }).toBe(4);
    const states = Object.fromEntries(await steps.evaluateAll((nodes) => nodes.map((n) => [n.getAttribute("data-step"), n.getAttribute("data-status")])));
    expect(states).toEqual({ greet: "succeeded", count_team: "succeeded", announce: "skipped", total: "succeeded" });
    const fill = await page.locator('#dag g[data-step="announce"] rect').getAttribute("fill");
    expect(fill).not.toBe(await page.locator('#dag g[data-step="greet"] rect').getAttribute("fill"));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator("#tasks-panel").screenshot({ path: path.join(ARTIFACTS, "dashboard-tasks.png") });
  });

  it("follows an actor's log lines and saves a screenshot", async () => {
    await page.locator('tr[data-actor="greeter"] button', { hasText: "logs" }).click();
    await expect.poll(() => page.locator("#logs").textContent(), { timeout: 15_000 }).toContain("greeting sent");
    // A line written after the panel opened shows up too.
    await hub.call("greeter.hello", { name: "Follower" });
    await expect.poll(() => page.locator("#logs").textContent(), { timeout: 15_000 }).toContain('"person":"Follower"');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard.png"), fullPage: true });
  });
});
