// Issue 18 points 8 and 12: the dashboard's Traces panel in headless Chromium against a real hub
// with the in-hub trace store on (no collector): the latest requests with their filters, a
// request's waterfall across the gateway, actors, ctx.db and the taskmaster with nested bars and
// the error of a failed one, the link from an endpoint's call result, the store's bound, and the
// same at 400 px with no page overflow.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Header, hubContract, TRACES_PATH, type RecentTracesReply } from "../../runtime/protocol/index.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { REPO, copyDemoHub, removeHubDir, startHub, type RunningHub } from "../helpers/index.ts";

const ARTIFACTS = path.join(REPO, "test/.artifacts");
const BOUND = 300;

interface Box { x: number; y: number; width: number; height: number }
interface Row { span: string; parent: string; depth: number; status: string; process: string; kind: string; name: string; bar: Box; label: Box; track: Box }

describe("dashboard traces", () => {
  let dir: string;
  let hub: RunningHub;
  let browser: Browser;
  let page: Page;
  let url: string;
  /** Trace ids of the requests made through the gateway, from its Fuse-Trace-Id header. */
  const traces: Record<"hello" | "fail" | "note" | "run", string> = { hello: "", fail: "", note: "", run: "" };

  const send = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(url + route, { method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    await res.arrayBuffer();
    return { status: res.status, traceId: res.headers.get(Header.traceId) ?? "" };
  };

  beforeAll(async () => {
    dir = copyDemoHub();
    writeFileSync(path.join(dir, "config/fuse.yaml"), `prefix: fuse\ntelemetry:\n  recent:\n    spans: ${BOUND}\nactors:\n  greeter:\n    instances: 2\n  counter:\n    instances: 1\n`);
    hub = await startHub(dir);
    url = hub.state.gatewayUrl!;
    const hello = await send("GET", "/hello/Ada");
    const fail = await send("POST", "/api/greeter/fail", { reason: "on purpose" });
    const note = await send("POST", "/notes", { title: "traced" });
    const run = await send("POST", "/api/taskmaster/run", { task: "welcome-team", input: { team: "ops", members: ["Ada", "Grace"] }, wait: true });
    expect([hello.status, fail.status, note.status, run.status]).toEqual([200, 500, 200, 200]);
    Object.assign(traces, { hello: hello.traceId, fail: fail.traceId, note: note.traceId, run: run.traceId });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${url}/dashboard`);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    if (dir) removeHubDir(dir);
  });

  const row = (traceId: string) => page.locator(`#traces tbody tr[data-trace="${traceId}"]`);
  const listed = () => page.evaluate<string[]>(`[...document.querySelectorAll("#traces tbody tr")].map((r) => r.dataset.trace)`);
  const setFilter = async (name: string, value: string) => {
    const field = page.locator(`#traces-filters [name="${name}"]`);
    if (name === "status") await field.selectOption(value);
    else await field.fill(value);
  };
  const rows = () => page.evaluate<Row[]>(`[...document.querySelectorAll("#waterfall .wf-row[data-span]")].map((r) => {
    const box = (sel) => { const b = r.querySelector(sel).getBoundingClientRect(); return { x: b.x, y: b.y, width: b.width, height: b.height }; };
    return { ...r.dataset, depth: Number(r.dataset.depth), name: r.querySelector(".wf-label span").textContent, bar: box(".wf-bar"), label: box(".wf-label"), track: box(".wf-track") };
  })`);
  const openTrace = async (traceId: string) => {
    await row(traceId).locator("a").click();
    await expect.poll(async () => (await page.locator("#waterfall .wf-title").textContent()) ?? "", { timeout: 15_000 }).toContain(traceId);
    return rows();
  };
  const overflow = () => page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");

  it("lists the latest requests with their entry endpoint, status, duration and spans, and none of the page's own polling", async () => {
    await row(traces.hello).waitFor({ timeout: 20_000 });
    const cells = (traceId: string) => page.evaluate<Record<string, string>>(`Object.fromEntries([...document.querySelectorAll('#traces tbody tr[data-trace="${traceId}"] td')].map((td) => [td.dataset.field, td.textContent]))`);
    // A request's row shows as soon as one process's span of it is gathered (the gateway's, say);
    // its endpoint, status and span count fill in as the other processes' spans come in.
    // The gateway's request, greeter.hello, its call of counter.increment and counter's side of it: 4 spans.
    const allSpans = async (traceId: string, least: number) => {
      const c = await cells(traceId);
      return { ...c, spans: Number(c.spans) >= least };
    };
    await expect.poll(() => allSpans(traces.hello, 4), { timeout: 15_000 }).toMatchObject({ request: "GET /hello/:name", endpoint: "greeter.hello", status: "OK", spans: true });
    expect((await cells(traces.hello)).duration).toMatch(/^\d+(\.\d+)? (ms|s)$/);
    await row(traces.fail).waitFor();
    await expect.poll(() => cells(traces.fail), { timeout: 15_000 }).toMatchObject({ request: "POST /api/:actor/:endpoint", endpoint: "greeter.fail", status: "HANDLER_FAILED" });
    expect(await row(traces.fail).getAttribute("data-status")).toBe("error");
    // The page polls hub.list every 1.5 s: with an unsampled traceparent, none of it is recorded.
    const entries = await page.locator('#traces tbody td[data-field="endpoint"]').allTextContents();
    expect(entries).not.toContain(hubContract.target("list"));
    expect(await page.locator("#traces-fill").textContent()).toMatch(/^\d+ spans held by \d+ processes \(the latest 300 each\)$/);
  });

  it("filters the requests by status, actor, endpoint and least duration", async () => {
    try {
      await filters();
    } finally {
      for (const name of ["actor", "endpoint", "minMs", "status"]) await setFilter(name, "");
    }
    await expect.poll(async () => (await listed()).includes(traces.hello), { timeout: 15_000 }).toBe(true);
  });

  async function filters(): Promise<void> {
    await setFilter("status", "error");
    await expect.poll(listed, { timeout: 15_000 }).toEqual([traces.fail]);
    await setFilter("status", "");
    await setFilter("actor", "counter");
    // Polled as one: the unfiltered list, still shown until the filtered one arrives, holds hello too.
    const shown = async () => {
      const list = await listed();
      return { hello: list.includes(traces.hello), fail: list.includes(traces.fail), note: list.includes(traces.note) };
    };
    await expect.poll(shown, { timeout: 15_000 }).toEqual({ hello: true, fail: false, note: false });
    await setFilter("actor", "");
    await setFilter("endpoint", "notes.add");
    await expect.poll(listed, { timeout: 15_000 }).toEqual([traces.note]);
    await setFilter("endpoint", "");
    await setFilter("minMs", "3600000");
    await expect.poll(listed, { timeout: 15_000 }).toEqual([]);
  }

  it("draws a request's waterfall across gateway, greeter and counter, each child's bar within its parent's", async () => {
    const spans = await openTrace(traces.hello);
    const root = spans[0]!;
    expect(root).toMatchObject({ depth: 0, parent: "", name: "GET /hello/:name", process: "gateway#0", kind: "server" });
    const byId = new Map(spans.map((s) => [s.span, s]));
    const chain = (s: Row): string[] => (s.parent ? [...chain(byId.get(s.parent)!), `${s.name} ${s.kind} ${s.process.split("#")[0]}`] : [`${s.name} ${s.kind} ${s.process.split("#")[0]}`]);
    const counter = spans.find((s) => s.process === "counter#0" && s.kind === "server")!;
    expect(chain(counter)).toEqual(["GET /hello/:name server gateway", "greeter.hello server greeter", "counter.increment client greeter", "counter.increment server counter"]);
    expect(counter.depth).toBe(3);
    for (const s of spans.filter((x) => x.parent)) {
      const parent = byId.get(s.parent)!;
      expect(s.bar.x, `${s.name} starts within ${parent.name}`).toBeGreaterThanOrEqual(parent.bar.x - 1);
      expect(s.bar.x + s.bar.width, `${s.name} ends within ${parent.name}`).toBeLessThanOrEqual(parent.bar.x + parent.bar.width + 1);
      expect(s.label.x).toBeGreaterThan(parent.label.x - 1);
    }
    // The root spans the whole axis.
    expect(Math.abs(root.bar.x - root.track.x)).toBeLessThan(2);
    expect(Math.abs(root.bar.x + root.bar.width - (root.track.x + root.track.width))).toBeLessThan(2);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator("#traces-panel").screenshot({ path: path.join(ARTIFACTS, "dashboard-traces.png") });
  });

  it("shows a failed request's spans with their code and its error message in red", async () => {
    const spans = await openTrace(traces.fail);
    const failed = spans.find((s) => s.name === "greeter.fail")!;
    expect(failed).toMatchObject({ status: "error", depth: 1 });
    const error = page.locator(`#waterfall .wf-row[data-span="${failed.span}"] [data-field="error"]`);
    expect(await error.textContent()).toBe(" · greeter failed on purpose");
    expect(await page.evaluate<string>(`getComputedStyle(document.querySelector('#waterfall .wf-row[data-span="${failed.span}"] [data-field="error"]')).color`)).toBe("rgb(179, 38, 30)");
    expect(await page.locator(`#waterfall .wf-row[data-span="${failed.span}"] [data-field="info"]`).textContent()).toContain("HANDLER_FAILED");
    expect(spans[0]).toMatchObject({ process: "gateway#0", status: "error" });
  });

  it("shows ctx.db statements under their request, and a task run's steps under the taskmaster's run", async () => {
    const note = await openTrace(traces.note);
    const add = note.find((s) => s.name === "notes.add" && s.kind === "server")!;
    expect(note.filter((s) => s.parent === add.span && s.name.startsWith("db ")).map((s) => s.process)).toContain("notes#0");
    const run = await openTrace(traces.run);
    const byId = new Map(run.map((s) => [s.span, s]));
    const task = run.find((s) => s.name === "task welcome-team")!;
    expect(task.process).toBe("taskmaster#0");
    const steps = run.filter((s) => s.parent === task.span).map((s) => s.name);
    expect(steps).toEqual(expect.arrayContaining(["step greet", "step count_team", "step total"]));
    // Each greeting the step made reached a greeter, below the step.
    const greetings = run.filter((s) => s.name === "greeter.hello" && s.kind === "server");
    expect(greetings).toHaveLength(2);
    for (const g of greetings) {
      let up = g;
      while (up.parent && up.name !== "step greet") up = byId.get(up.parent)!;
      expect(up.name).toBe("step greet");
    }
  });

  it("links the trace id of an endpoint called from the page to its waterfall", async () => {
    const form = page.locator("details.endpoint", { hasText: "greeter.hello" });
    await form.locator("summary").click();
    await form.locator("textarea").fill('{"name":"Waterfall"}');
    await form.locator('button[data-call="greeter.hello"]').click();
    await expect.poll(() => form.locator("pre.result").textContent(), { timeout: 15_000 }).toContain("Hello, Waterfall!");
    const traceId = /trace ([0-9a-f]{32})/.exec((await form.locator("pre.result").textContent()) ?? "")![1]!;
    const link = form.locator(`a.trace-link[data-trace="${traceId}"]`);
    await link.click();
    // A call a person made from the page is recorded, unlike the page's polling.
    await expect.poll(async () => (await page.locator("#waterfall .wf-title").textContent()) ?? "", { timeout: 15_000 }).toContain(traceId);
    expect((await rows()).map((s) => s.name)).toEqual(expect.arrayContaining(["POST /api/:actor/:endpoint", "greeter.hello", "counter.increment"]));
  });

  it("stays usable at 400 px: rows stack, the page does not overflow, bars still nest", async () => {
    await openTrace(traces.hello);
    await page.setViewportSize({ width: 400, height: 900 });
    await expect.poll(overflow, { timeout: 5_000 }).toBeLessThanOrEqual(0);
    const spans = await rows();
    for (const s of spans) {
      expect(s.label.y + s.label.height).toBeLessThanOrEqual(s.track.y + 1);
      expect(s.track.x + s.track.width).toBeLessThanOrEqual(400);
    }
    const byId = new Map(spans.map((s) => [s.span, s]));
    for (const s of spans.filter((x) => x.parent)) {
      const parent = byId.get(s.parent)!;
      expect(s.bar.x).toBeGreaterThanOrEqual(parent.bar.x - 1);
      expect(s.bar.x + s.bar.width).toBeLessThanOrEqual(parent.bar.x + parent.bar.width + 1);
    }
    await page.locator("#traces-panel").screenshot({ path: path.join(ARTIFACTS, "dashboard-traces-narrow.png") });
    await page.setViewportSize({ width: 1280, height: 1000 });
  });

  it("refuses a bad query parameter with a 400 naming it", async () => {
    const refused = async (query: string) => {
      const res = await fetch(`${url}${TRACES_PATH}${query}`);
      return { status: res.status, message: ((await res.json()) as { error: { message: string } }).error.message };
    };
    expect(await refused("?status=broken")).toEqual({ status: 400, message: expect.stringContaining(`GET ${TRACES_PATH} query.status:`) });
    expect(await refused("?limit=1000")).toEqual({ status: 400, message: expect.stringContaining("query.limit:") });
    expect(await refused("?colour=red")).toEqual({ status: 400, message: expect.stringContaining('"colour"') });
    expect(await refused("/not-a-trace")).toEqual({ status: 400, message: expect.stringContaining("expected a trace id of 32 lowercase hex digits") });
    expect((await refused("/0123456789abcdef0123456789abcdef")).status).toBe(404);
  });

  it("holds at most its bound of spans per process, however many it recorded", async () => {
    for (let i = 0; i < BOUND + 50; i++) await hub.call("counter.increment", { key: `bound-${i % 7}` });
    const res = await fetch(`${url}${TRACES_PATH}?actor=counter&limit=200`);
    const body = (await res.json()) as RecentTracesReply;
    const counter = body.stores.find((s) => s.actor === "counter")!;
    expect(counter).toEqual({ actor: "counter", instance: 0, held: BOUND, capacity: BOUND });
    for (const store of body.stores) expect(store.held).toBeLessThanOrEqual(store.capacity);
    expect(body.traces).toHaveLength(200);
  });
});
