// Issue 18 points 7, 9 and 12: the dashboard's traffic charts and live call graph, in headless
// Chromium against a real hub sampling every second. Known traffic goes through the gateway to
// `front.forward`, which calls `back.work` (some slow, some refused); the history route, the
// charts and the graph must show what was sent; the same at 400 px with no page overflow.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallGraph, HistoryOverview, TrafficSeries } from "../../runtime/metrics/index.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { REPO, createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

const ARTIFACTS = path.join(REPO, "test/.artifacts");
// 36 answer after 20 ms, 4 after 300 ms (above the p99's rank: 4 of 50 is 8 %), 10 are refused at once.
const FAST = 36;
const SLOW = 4;
const REFUSED = 10;
const SENT = FAST + SLOW + REFUSED;

describe("dashboard traffic and call graph", () => {
  let dir: string;
  let hub: RunningHub;
  let browser: Browser;
  let page: Page;
  let base: string;
  const statuses: number[] = [];

  const get = async <T>(route: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}${route}`);
    return { status: res.status, body: (await res.json()) as T };
  };
  const history = async (query = "") => (await get<HistoryOverview>(`/dashboard/history${query}`)).body;
  const actorOf = (h: HistoryOverview, name: string) => h.actors.find((a) => a.actor === name);
  const overflow = () => page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");

  beforeAll(async () => {
    dir = createHubDir({ config: "metrics:\n  historyIntervalMs: 1000\n", actors: { front: "forwarder", back: "measured" } });
    hub = await startHub(dir);
    base = hub.state.gatewayUrl!;
    // The baseline and a first interval with both actors in it: traffic after this is charted whole.
    await waitFor("the history to know front and back", async () => {
      const h = await history().catch(() => undefined);
      return h && h.to !== null && actorOf(h, "front") && actorOf(h, "back");
    }, 60_000);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${base}/dashboard`);
    const send = (ms: number, refuse: boolean) =>
      fetch(`${base}/api/front/forward`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ target: "back.work", input: { ms, refuse } }) }).then(async (r) => {
        await r.arrayBuffer();
        statuses.push(r.status);
      });
    const jobs = [...Array.from({ length: FAST }, () => [20, false] as const), ...Array.from({ length: SLOW }, () => [300, false] as const), ...Array.from({ length: REFUSED }, () => [0, true] as const)];
    // Ten at a time: the traffic spreads over a few intervals, as real traffic would.
    for (let i = 0; i < jobs.length; i += 10) await Promise.all(jobs.slice(i, i + 10).map(([ms, refuse]) => send(ms, refuse)));
    await waitFor("the history to count every request", async () => actorOf(await history(), "front")?.traffic.window.requests === SENT, 30_000);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    if (dir) removeHubDir(dir);
  });

  it("serves per actor the requests sent, their errors and p50/p99 as JSON, and the call edge", async () => {
    expect(statuses.filter((s) => s === 200)).toHaveLength(FAST + SLOW);
    expect(statuses.filter((s) => s === 409)).toHaveLength(REFUSED);
    const h = await history();
    for (const name of ["front", "back"]) {
      const { traffic } = actorOf(h, name)!;
      // Counters are exact and each sample takes their growth: every request sent is counted once.
      expect(traffic.window).toMatchObject({ requests: SENT, errors: REFUSED, errorRatio: REFUSED / SENT });
      // Each point's rate is its requests over its own length, so the rates add back up to the count.
      expect(traffic.points.reduce((n, p) => n + p.rate * p.seconds, 0)).toBeCloseTo(SENT, 6);
      expect(traffic.points.filter((p) => p.requests > 0).length).toBeGreaterThan(0);
    }
    // back's own latency: the median among the 20 ms answers, the p99 among the 300 ms ones
    // (their bucket is 0.25–0.5 s; the next one too on a loaded machine).
    const back = actorOf(h, "back")!.traffic.window;
    expect(back.p50!).toBeGreaterThan(0.01);
    expect(back.p50!).toBeLessThanOrEqual(0.1);
    expect(back.p99!).toBeGreaterThan(0.25);
    expect(back.p99!).toBeLessThanOrEqual(1);
    expect(actorOf(h, "back")!.instances).toHaveLength(1);
    expect(actorOf(h, "back")!.instances[0]!.points.at(-1)!.memory).toBeGreaterThan(1e6);
    const graph = (await get<CallGraph>("/dashboard/graph")).body;
    expect(graph.edges.find((e) => e.from === "front" && e.to === "back")).toMatchObject({ calls: SENT, errors: REFUSED, errorRatio: REFUSED / SENT });
    expect(graph.nodes.find((n) => n.actor === "back")!.depth).toBe(graph.nodes.find((n) => n.actor === "front")!.depth + 1);
    // One endpoint on demand; bad queries are refused.
    const work = (await history("?actor=back&endpoint=work")).actors[0] as HistoryOverview["actors"][number] & { endpoint: string; traffic: TrafficSeries };
    expect(work).toMatchObject({ actor: "back", endpoint: "work", traffic: { window: { requests: SENT, errors: REFUSED } } });
    expect((await get("/dashboard/history?actor=nobody")).status).toBe(404);
    expect((await get("/dashboard/history?actor=back&endpoint=nothing")).status).toBe(404);
    expect((await get("/dashboard/history?endpoint=work")).status).toBe(400);
  });

  /** The largest value a chart draws, read back from its points and its axis (the page's CHART geometry). */
  const drawnPeak = (card: string, chart: string) =>
    page.evaluate<number>(`(() => {
      const svg = document.querySelector(${JSON.stringify(`${card} figure[data-chart="${chart}"] svg`)});
      const max = Number(svg.getAttribute("data-max"));
      const ys = [...svg.querySelectorAll("polyline")].flatMap((l) => l.getAttribute("points").split(" ").map((p) => Number(p.split(",")[1])))
        .concat([...svg.querySelectorAll("circle")].map((c) => Number(c.getAttribute("cy"))));
      const [top, bottom] = [CHART.top, CHART.h - CHART.bottom];
      return max * (1 - (Math.min(...ys) - top) / (bottom - top));
    })()`);

  const chart = (name: string) => page.locator(`details.traffic-card[data-actor="front"] figure[data-chart="${name}"] svg`);

  async function checkTraffic(): Promise<void> {
    const card = 'details.traffic-card[data-actor="front"]';
    // Drawn at the width they are shown at (redrawn when the window changes): text at its size, never scaled.
    await expect.poll(async () => {
      const [box, viewBox] = [(await chart("rate").boundingBox())!, (await chart("rate").getAttribute("viewBox"))!];
      return Math.abs(box.width - Number(viewBox.split(" ")[2]));
    }, { timeout: 5_000 }).toBeLessThan(3);
    const field = (name: string) => page.locator(`${card} .summary [data-field="${name}"]`);
    await expect.poll(() => field("requests").textContent(), { timeout: 15_000 }).toBe(`${SENT} requests`);
    expect(await field("errors").textContent()).toBe(`${REFUSED} errors (20 %)`);
    expect(await field("errors").getAttribute("class")).toBe("bad");
    // The rate chart draws the route's peak rate (coordinates are rounded to 0.1 px of 76).
    const points = actorOf(await history(), "front")!.traffic.points;
    const peak = Math.max(...points.map((p) => p.rate));
    expect(Number(await page.locator(`${card} figure[data-chart="rate"] svg`).getAttribute("data-points"))).toBeGreaterThan(0);
    expect(Math.abs((await drawnPeak(card, "rate")) - peak)).toBeLessThanOrEqual(peak * 0.01);
    const peakErrors = Math.max(...points.map((p) => p.errorRatio ?? 0));
    expect(peakErrors).toBeGreaterThan(0);
    expect(Math.abs((await drawnPeak(card, "errors")) - peakErrors)).toBeLessThanOrEqual(0.01);
    // p50 and p99 as printed, in ms or s: p99 at or above p50.
    const seconds = (text: string) => {
      const [, value, unit] = /([\d.]+) (ms|s)$/.exec(text)!;
      return Number(value) / (unit === "ms" ? 1000 : 1);
    };
    const [p50, p99] = [seconds((await field("p50").textContent())!), seconds((await field("p99").textContent())!)];
    expect(p99).toBeGreaterThanOrEqual(p50);
    expect(p99).toBeGreaterThan(0.25);
    for (const chart of ["latency", "cpu", "memory", "lag"]) {
      expect(Number(await page.locator(`${card} figure[data-chart="${chart}"] svg`).getAttribute("data-points")), chart).toBeGreaterThan(0);
    }
    // The call graph: front → back labelled with its rate and, in red, its errors.
    const edge = page.locator('#call-graph g[data-edge="front->back"]');
    await edge.waitFor({ timeout: 15_000 });
    expect(await edge.getAttribute("data-calls")).toBe(String(SENT));
    expect(await edge.getAttribute("data-errors")).toBe(String(REFUSED));
    expect(Number(await edge.getAttribute("data-rate"))).toBeGreaterThan(0);
    const label = (await edge.locator("text").textContent())!;
    expect(label).toMatch(/^[\d.]+\/s · 20 % err$/);
    expect(Number(label.split("/")[0])).toBeGreaterThan(0);
    expect(await edge.locator("path").getAttribute("class")).toBe("edge bad");
    const x = async (node: string) => Number(await page.locator(`#call-graph g[data-node="${node}"] rect`).getAttribute("x"));
    expect(await x("back")).toBeGreaterThan(await x("front"));
  }

  it("charts each actor's rate, errors and latency and draws the call graph", async () => {
    await checkTraffic();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator("#traffic-panel").screenshot({ path: path.join(ARTIFACTS, "dashboard-traffic.png") });
    await page.locator("#graph-panel").screenshot({ path: path.join(ARTIFACTS, "dashboard-call-graph.png") });
  });

  it("charts one endpoint when picked", async () => {
    await page.locator("#traffic-actor").selectOption("back");
    await expect.poll(() => page.locator("#traffic-endpoint option").allTextContents(), { timeout: 15_000 }).toEqual(["every endpoint", "work"]);
    await page.locator("#traffic-endpoint").selectOption("work");
    const card = page.locator('details.traffic-card[data-actor="back"][data-endpoint="work"]');
    await expect.poll(() => card.locator('[data-field="requests"]').textContent(), { timeout: 15_000 }).toBe(`${SENT} requests`);
    expect(await page.locator("details.traffic-card").count()).toBe(1);
    expect(await card.locator("h3").textContent()).toBe("back.work · 1 instance");
    await page.locator("#traffic-actor").selectOption("");
    await page.locator('details.traffic-card[data-actor="front"]').waitFor({ timeout: 15_000 });
  });

  it("stays readable at 400 px wide: charts shrink to the panel and the page does not overflow", async () => {
    await page.setViewportSize({ width: 400, height: 900 });
    await expect.poll(overflow, { timeout: 5_000 }).toBeLessThanOrEqual(0);
    // Two to a row, once the panel has laid itself out again for the new width (polled: a
    // loaded machine may read the boxes between the resize and the charts' own redraw).
    const layout = async () => {
      const [rate, errors] = [(await chart("rate").boundingBox())!, (await chart("errors").boundingBox())!];
      return { rateInside: rate.x >= 0, errorsInside: errors.x + errors.width <= 400, sameRow: errors.y === rate.y };
    };
    await expect.poll(layout, { timeout: 5_000 }).toEqual({ rateInside: true, errorsInside: true, sameRow: true });
    await checkTraffic();
    await page.locator("#traffic-panel").screenshot({ path: path.join(ARTIFACTS, "dashboard-traffic-narrow.png") });
    await page.locator("#graph-panel").screenshot({ path: path.join(ARTIFACTS, "dashboard-call-graph-narrow.png") });
    await page.setViewportSize({ width: 1280, height: 1000 });
  });
});
