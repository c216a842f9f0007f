// Issue 18 points 11 and 12: a task run's steps on a timeline in the dashboard, driven in headless
// Chromium against a real hub: one row per step in the schema's order, bars as wide as the steps
// lasted on a shared axis, the attempts of a retried step, the error of a failed one, a waiting
// step's bar running to now, compensations marked; the same at 400 px with no page overflow.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunDetail } from "../../runtime/protocol/index.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { REPO, removeHubDir, startTaskHub, waitFor, type RunningHub } from "../helpers/index.ts";

const ARTIFACTS = path.join(REPO, "test/.artifacts");

const TASKS = {
  timeline: {
    name: "timeline",
    steps: [
      { id: "first", call: "worker.echo", input: '{ "value": 1 }' },
      { id: "flaky", call: "worker.flaky", input: '{ "key": "timeline", "failTimes": 1 }', needs: ["first"], retry: { attempts: 2, backoffMs: 500 } },
      { id: "pause", wait: { ms: 2500 }, needs: ["flaky"] },
      { id: "broken", call: "worker.flaky", input: '{ "key": "broken", "failTimes": 1000000 }', needs: ["pause"], onError: "continue" },
      { id: "never", call: "worker.echo", input: '{ "value": 2 }', needs: ["first"], when: "false" },
    ],
  },
  approval: {
    name: "approval",
    steps: [
      { id: "prepare", call: "worker.echo", input: '{ "value": 1 }' },
      { id: "approve", signal: {}, needs: ["prepare"] },
    ],
  },
  undo: {
    name: "undo",
    steps: [
      { id: "book", call: "worker.echo", input: '{ "value": 1 }', compensate: { call: "worker.echo", input: '{ "value": "unbooked" }' } },
      { id: "charge", call: "worker.flaky", input: '{ "key": "charge", "failTimes": 1000000 }', needs: ["book"] },
    ],
  },
};

interface Box { x: number; y: number; width: number; height: number }

describe("dashboard timeline", () => {
  let dir: string;
  let hub: RunningHub;
  let browser: Browser;
  let page: Page;
  let run: RunDetail;

  beforeAll(async () => {
    ({ dir, hub } = await startTaskHub(TASKS));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${hub.state.gatewayUrl!}/dashboard`);
    const { id } = await hub.call<{ id: string }>("taskmaster.run", { task: "timeline", input: {}, wait: true }, { timeoutMs: 60_000 });
    run = await hub.call<RunDetail>("taskmaster.status", { runId: id });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    if (dir) removeHubDir(dir);
  });

  const open = async (runId: string) => {
    const link = page.locator(`tr[data-run="${runId}"] a`);
    await link.waitFor({ timeout: 15_000 });
    await link.click();
    await page.locator(`#timeline`).waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator("#run").textContent(), { timeout: 15_000 }).toContain(runId);
  };
  // The boxes of a row's parts, read at once (the panel redraws every 2 s).
  const boxes = (step: string) => page.evaluate<Record<"bar" | "track" | "label" | "info", Box | null>>(`(() => {
    const row = document.querySelector('#timeline .tl-row[data-step=${JSON.stringify(step)}]');
    const box = (sel) => { const n = row && row.querySelector(sel); if (!n) return null; const r = n.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; };
    return { bar: box(".tl-bar"), track: box(".tl-track"), label: box(".tl-label"), info: box(".tl-info") };
  })()`);
  const bar = async (step: string): Promise<Box> => (await boxes(step)).bar!;
  const track = async (step: string): Promise<Box> => (await boxes(step)).track!;
  const durationOf = (step: string) => {
    const s = run.steps.find((x) => x.id === step)!;
    return s.endedAt! - s.startedAt!;
  };
  const overflow = () => page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");

  /** Rows in order, bars proportional to durations, attempts and the error shown. */
  async function checkTimeline(): Promise<void> {
    const rows = page.locator("#timeline .tl-row[data-kind=step]");
    expect(await rows.evaluateAll((nodes) => nodes.map((n) => [n.getAttribute("data-step"), n.getAttribute("data-status")]))).toEqual(
      run.steps.map((s) => [s.id, s.status]),
    );
    const [first, flaky, pause, broken] = [await bar("first"), await bar("flaky"), await bar("pause"), await bar("broken")];
    // The longer a step lasted, the wider its bar (the durations are the run record's: under load
    // the retried step may outlast the timer), and the widths are in proportion (within 10 %).
    const measured = [["first", first], ["flaky", flaky], ["pause", pause]] as const;
    const byDuration = [...measured].sort((a, b) => durationOf(a[0]) - durationOf(b[0]));
    expect(byDuration.map(([id]) => id)).toEqual([...measured].sort((a, b) => a[1].width - b[1].width).map(([id]) => id));
    const [midId, mid] = byDuration[1]!;
    const [longId, long] = byDuration[2]!;
    const ratio = long.width / mid.width / (durationOf(longId) / durationOf(midId));
    expect(ratio).toBeGreaterThan(0.9);
    expect(ratio).toBeLessThan(1.1);
    expect(flaky.x).toBeGreaterThanOrEqual(first.x);
    expect(pause.x).toBeGreaterThanOrEqual(flaky.x + flaky.width - 2);
    expect(broken.x).toBeGreaterThanOrEqual(pause.x + pause.width - 2);
    // The axis spans the whole run, from its start to its end (which the run record may put a
    // few ms after its last step's end): the last bar ends where the record says, within 3 px.
    const t = await track("broken");
    const from = Math.min(run.startedAt ?? run.createdAt, ...run.steps.flatMap((s) => (s.startedAt === undefined ? [] : [s.startedAt])));
    const to = Math.max(run.endedAt!, ...run.steps.flatMap((s) => (s.endedAt === undefined ? [] : [s.endedAt])));
    const brokenEnd = run.steps.find((s) => s.id === "broken")!.endedAt!;
    expect(Math.abs(broken.x + broken.width - (t.x + (t.width * (brokenEnd - from)) / (to - from)))).toBeLessThan(3);
    const info = (step: string) => page.locator(`#timeline .tl-row[data-step="${step}"] .tl-info`);
    expect(await info("flaky").getAttribute("data-attempts")).toBe("2");
    expect(await info("flaky").textContent()).toContain("2 attempts");
    expect(await info("first").getAttribute("data-attempts")).toBeNull();
    const error = run.steps.find((s) => s.id === "broken")!.error!;
    expect(await info("broken").locator("[data-field=error]").textContent()).toContain(`${error.code}: ${error.message}`);
    expect(await page.locator('#timeline .tl-row[data-step="broken"] .tl-bar').getAttribute("title")).toContain(error.code);
    // The skipped step: no bar, a mark.
    expect(await page.locator('#timeline .tl-row[data-step="never"] .tl-bar').count()).toBe(0);
    expect(await page.locator('#timeline .tl-row[data-step="never"] .tl-skip').count()).toBe(1);
  }

  it("shows each step of a run on a timeline with its attempts and error", async () => {
    expect(run.status).toBe("succeeded");
    expect(Object.fromEntries(run.steps.map((s) => [s.id, s.status]))).toEqual({ first: "succeeded", flaky: "succeeded", pause: "succeeded", broken: "failed", never: "skipped" });
    expect(run.steps.find((s) => s.id === "flaky")!.attempts).toBe(2);
    expect(durationOf("pause")).toBeGreaterThanOrEqual(2500);
    expect(durationOf("flaky")).toBeGreaterThanOrEqual(500);
    await open(run.id);
    await checkTimeline();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator("#run").screenshot({ path: path.join(ARTIFACTS, "dashboard-timeline.png") });
  });

  it("stays readable at 400 px wide: rows stack, the axis scales, the page does not overflow", async () => {
    const wide = await track("pause");
    await page.setViewportSize({ width: 400, height: 900 });
    await expect.poll(overflow, { timeout: 5_000 }).toBeLessThanOrEqual(0);
    const narrow = await track("pause");
    expect(narrow.width).toBeLessThan(wide.width);
    expect(narrow.x + narrow.width).toBeLessThanOrEqual(400);
    // Stacked: the label sits above the track, the details below it.
    const { label, info, track: t } = (await boxes("flaky")) as Record<"label" | "info" | "track", Box>;
    expect(label.y + label.height).toBeLessThanOrEqual(t.y + 1);
    expect(info.y).toBeGreaterThanOrEqual(t.y + t.height - 1);
    await checkTimeline();
    await page.locator("#run").screenshot({ path: path.join(ARTIFACTS, "dashboard-timeline-narrow.png") });
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-narrow.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 1000 });
  });

  it("draws a waiting step's bar up to now, marked as waiting", async () => {
    const { id } = await hub.call<{ id: string }>("taskmaster.run", { task: "approval", input: {} });
    await waitFor("the approve step to wait", async () => (await hub.call<RunDetail>("taskmaster.status", { runId: id })).steps[1]!.status === "waiting");
    await open(id);
    const row = page.locator('#timeline .tl-row[data-step="approve"]');
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 15_000 }).toBe("waiting");
    expect(await row.locator(".tl-bar").getAttribute("class")).toContain("tl-live");
    expect(await row.locator(".tl-info").textContent()).toContain("waiting for signal");
    // It runs to the axis's end (now), and grows with the next refresh.
    const t = await track("approve");
    const before = await bar("approve");
    expect(before.x + before.width).toBeGreaterThan(t.x + t.width - 3);
    await expect.poll(async () => (await bar("approve")).width, { timeout: 15_000 }).toBeGreaterThan(before.width);
    await page.locator("#run").screenshot({ path: path.join(ARTIFACTS, "dashboard-timeline-waiting.png") });
  });

  it("marks compensation steps on the timeline", async () => {
    const { id } = await hub.call<{ id: string }>("taskmaster.run", { task: "undo", input: {} });
    await waitFor("the undo run to be compensated", async () => (await hub.call<RunDetail>("taskmaster.status", { runId: id })).status === "compensated");
    await open(id);
    const rows = page.locator("#timeline .tl-row[data-kind=compensation]");
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    expect(await rows.first().getAttribute("data-step")).toBe("book");
    expect(await rows.first().getAttribute("data-status")).toBe("succeeded");
    expect(await rows.first().locator(".tl-label").textContent()).toBe("↺ book");
    expect(await rows.first().locator(".tl-bar").count()).toBe(1);
  });

  // This hub's config leaves telemetry.recent out (the demo hub's sets it): the Traces panel says what to add.
  it("says in the Traces panel what to add to fuse.yaml while the trace store is off", async () => {
    const off = page.locator("#traces-off");
    await expect.poll(() => off.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await off.locator("pre").textContent()).toBe("telemetry:\n  recent: true   # or { spans: 2000 }, kept per process\n");
    expect(await page.locator("#traces").isVisible()).toBe(false);
  });
});
