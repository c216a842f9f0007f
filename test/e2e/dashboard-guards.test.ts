import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/chromium.ts";
import { createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

// The dashboard's actor table in headless Chromium shows what guards refused: a bulkhead's
// OVERLOADED per endpoint, and a caller's open circuit with its CIRCUIT_OPEN refusals.
describe("the dashboard shows refused requests and open circuits", () => {
  let dir: string;
  let hub: RunningHub;
  let browser: Browser;

  beforeAll(async () => {
    dir = createHubDir({ config: "actors:\n  front:\n    instances: 1\n  back:\n    instances: 1\n", actors: { front: "guarded", back: "guarded" } });
    hub = await startHub(dir);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    if (dir) removeHubDir(dir);
  });

  it("lists the bulkhead's refusals of back.slow and front's open circuit to back.flaky", async () => {
    // 6 requests to a bulkhead of 2 running and 1 waiting: 3 refused.
    let overloaded = 0;
    const held = Array.from({ length: 6 }, () => hub.call("back.slow", { gate: "dash" }, { timeoutMs: 100_000 }).catch((e: { code: string }) => void (e.code === "OVERLOADED" && overloaded++)));
    await waitFor("three refusals", async () => (overloaded === 3 ? true : undefined), 30_000);
    await hub.call("back.set", { key: "gate.dash", on: true });
    await Promise.all(held);
    // 4 failures open front's circuit to back.flaky; the 5th call is refused by it.
    const circuit = { errorRate: 0.5, minRequests: 4, windowMs: 60_000, openMs: 60_000, probes: 1 };
    await hub.call("back.set", { key: "flaky.failing.dash", on: true });
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push((await hub.call<{ code?: string }>("front.via", { target: "back.flaky", name: "dash", circuit })).code ?? "ok");
    expect(codes).toEqual(["HANDLER_FAILED", "HANDLER_FAILED", "HANDLER_FAILED", "HANDLER_FAILED", "CIRCUIT_OPEN"]);

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${hub.state.gatewayUrl!}/dashboard`);
    const cell = (actor: string, field: string) => page.locator(`tr[data-actor="${actor}"] td[data-field="${field}"]`).textContent();
    await expect.poll(() => cell("back", "refused"), { timeout: 20_000 }).toBe("slow 3 overloaded");
    await expect.poll(() => cell("front", "circuits"), { timeout: 20_000 }).toBe("back.flaky open");
    expect(await cell("front", "refused")).toBe("back.flaky 1 circuit-open");
    expect(await cell("back", "circuits")).toBe("–");
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
