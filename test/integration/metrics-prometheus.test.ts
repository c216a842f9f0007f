// Issue 18, metrics: the real Prometheus scrapes a running hub's /metrics (the hub's own port,
// `metrics.port`), the test drives known traffic at one endpoint, and Prometheus's query API
// must give back the request rate, the error rate and a latency quantile the test caused.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../runtime/hub/servers/ports.ts";
import { createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

const SUCCEEDED = 40;
const REFUSED = 10;
// Successes sleep 300 ms, so each takes more than 0.25 s. Refusals answer at once.
const SLOW_MS = 300;
// The rate window: from before the hub started to the last scrape, so every sample is in it.
const WINDOW_S = 600;
const SERIES = 'actor="measured",endpoint="work"';

interface Sample { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }

let hub: RunningHub;
let prometheus: ChildProcess;
let promUrl: string;
let promDir: string;
let metricsPort: number;

/** One Prometheus instant query (at `time`, seconds, when given): its result vector or matrix. */
async function query(expr: string, time?: number): Promise<Sample[]> {
  const params = new URLSearchParams({ query: expr, ...(time !== undefined ? { time: String(time) } : {}) });
  const res = await fetch(`${promUrl}/api/v1/query?${params}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: Sample[] } };
  if (body.status !== "success") throw new Error(`Prometheus refused ${expr}: ${body.error}`);
  return body.data.result;
}

/** The endpoint's cumulative latency buckets as the hub's own /metrics serves them now. */
async function hubBuckets(): Promise<{ le: number; count: number }[]> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const lines = text.split("\n").filter((l) => l.startsWith("fuse_request_duration_seconds_bucket{") && l.includes('actor="measured"') && l.includes('endpoint="work"'));
  return lines.map((l) => ({ le: Number(/le="([^"]+)"/.exec(l)![1]!.replace("+Inf", "Infinity")), count: Number(l.split(" ").at(-1)) })).sort((a, b) => a.le - b.le);
}

/** histogram_quantile's estimate: linear within the bucket where the rank falls (Prometheus's rule). */
function quantile(q: number, buckets: { le: number; count: number }[]): number {
  const rank = q * buckets.at(-1)!.count;
  const i = buckets.findIndex((b) => b.count >= rank);
  if (buckets[i]!.le === Infinity) return buckets[i - 1]!.le;
  const lower = i === 0 ? 0 : buckets[i - 1]!.le;
  const below = i === 0 ? 0 : buckets[i - 1]!.count;
  return lower + (buckets[i]!.le - lower) * ((rank - below) / (buckets[i]!.count - below));
}

const scalar = async (expr: string, time: number) => {
  const result = await query(expr, time);
  expect(result, expr).toHaveLength(1);
  return Number(result[0]!.value![1]);
};

beforeAll(async () => {
  metricsPort = await freePort();
  const dir = createHubDir({ config: `metrics:\n  port: ${metricsPort}\n`, actors: { measured: "measured" } });
  hub = await startHub(dir);
  await waitFor("measured to run", async () => (await hub.actor("measured")).running === 1, 60_000);

  promDir = mkdtempSync(path.join(os.tmpdir(), "fuse-prometheus-"));
  writeFileSync(
    path.join(promDir, "prometheus.yml"),
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: fuse\n    static_configs:\n      - targets: ["127.0.0.1:${metricsPort}"]\n`,
  );
  const promPort = await freePort();
  promUrl = `http://127.0.0.1:${promPort}`;
  prometheus = spawn("prometheus", [`--config.file=${path.join(promDir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(promDir, "data")}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: "ignore" });
  // The endpoint's series are born at zero, so the first scrape already has them: the baseline.
  await waitFor("Prometheus to scrape the hub's zero counts", async () => {
    const result = await query(`fuse_requests_total{${SERIES},code=~"OK|REFUSED"}`).catch(() => []);
    return result.length === 2 && result.every((s) => s.value![1] === "0");
  }, 60_000);
}, 180_000);

afterAll(async () => {
  if (prometheus?.pid && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus.once("exit", r));
    process.kill(prometheus.pid, "SIGTERM");
    await exited;
  }
  if (promDir) rmSync(promDir, { recursive: true, force: true });
  await hub?.stop();
  if (hub) removeHubDir(hub.dir);
}, 60_000);

describe("metrics in Prometheus", () => {
  it("gives the request rate, error rate and median latency of the traffic the test sent", async () => {
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: SUCCEEDED }, () => hub.call("measured.work", { ms: SLOW_MS, refuse: false })),
      ...Array.from({ length: REFUSED }, () => hub.call("measured.work", { ms: 0, refuse: true })),
    ]);
    const failedWith = outcomes.flatMap((o) => (o.status === "rejected" ? [(o.reason as { code?: string }).code] : []));
    expect({ succeeded: outcomes.length - failedWith.length, failed: failedWith.length }).toEqual({ succeeded: SUCCEEDED, failed: REFUSED });
    expect(new Set(failedWith)).toEqual(new Set(["REFUSED"]));

    // The last scrape that holds all the traffic; queries are evaluated at its timestamp, so
    // the window ends on a sample and starts from the series' zero (no extrapolation).
    const last = await waitFor("Prometheus to scrape every request", async () => {
      const raw = await query(`fuse_requests_total{${SERIES},code="OK"}[${WINDOW_S}s]`);
      const values = raw[0]?.values ?? [];
      const final = values.at(-1);
      if (!final || Number(final[1]) !== SUCCEEDED) return undefined;
      const refused = await query(`fuse_requests_total{${SERIES},code="REFUSED"}`, final[0]);
      return Number(refused[0]?.value?.[1]) === REFUSED ? final[0] : undefined;
    }, 60_000);

    const requestRate = await scalar(`sum(rate(fuse_requests_total{${SERIES}}[${WINDOW_S}s]))`, last);
    expect(requestRate).toBeCloseTo((SUCCEEDED + REFUSED) / WINDOW_S, 9);
    const errorRate = await scalar(`sum(rate(fuse_requests_total{${SERIES},code!="OK"}[${WINDOW_S}s]))`, last);
    expect(errorRate).toBeCloseTo(REFUSED / WINDOW_S, 9);
    const errorRatio = await scalar(`sum(rate(fuse_requests_total{${SERIES},code!="OK"}[${WINDOW_S}s])) / sum(rate(fuse_requests_total{${SERIES}}[${WINDOW_S}s]))`, last);
    expect(errorRatio).toBeCloseTo(REFUSED / (SUCCEEDED + REFUSED), 9);

    // The median Prometheus reports is the one the hub's own buckets give (read from its
    // /metrics, interpolated as histogram_quantile does), and at least 40 of the 50 requests
    // slept 300 ms, so no success is in a bucket up to 0.25 s and the median is above it.
    const buckets = await hubBuckets();
    expect(buckets.at(-1)).toEqual({ le: Infinity, count: SUCCEEDED + REFUSED });
    expect(buckets.find((b) => b.le === 0.25)!.count).toBeLessThanOrEqual(REFUSED);
    const p50 = await scalar(`histogram_quantile(0.5, sum by (le) (rate(fuse_request_duration_seconds_bucket{${SERIES}}[${WINDOW_S}s])))`, last);
    expect(p50).toBeCloseTo(quantile(0.5, buckets), 9);
    expect(p50).toBeGreaterThan(0.25);
    const count = await scalar(`sum(fuse_request_duration_seconds_count{${SERIES}})`, last);
    expect(count).toBe(SUCCEEDED + REFUSED);
  });

  it("serves the same figures at the gateway's /metrics, with its HTTP requests by route pattern and status", async () => {
    const gateway = hub.state.gatewayUrl!;
    const answered = await fetch(`${gateway}/api/measured/work`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ms: 0, refuse: false }) });
    expect(answered.status).toBe(200);
    expect((await fetch(`${gateway}/no-such-page-7d3f`)).status).toBe(404);
    const res = await fetch(`${gateway}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const value = (name: string, ...parts: string[]) =>
      text.split("\n").filter((l) => l.startsWith(`${name}{`) && parts.every((p) => l.includes(p))).map((l) => Number(l.split(" ").at(-1)));
    expect(value("fuse_requests_total", 'actor="measured"', 'endpoint="work"', 'code="OK"')).toEqual([SUCCEEDED + 1]);
    expect(value("fuse_requests_total", 'actor="measured"', 'endpoint="work"', 'code="REFUSED"')).toEqual([REFUSED]);
    expect(value("fuse_http_requests_total", 'actor="gateway"', 'route="/api/:actor/:endpoint"', 'method="POST"', 'status="200"')).toEqual([1]);
    expect(value("fuse_http_requests_total", 'actor="gateway"', 'route="unmatched"', 'method="GET"', 'status="404"')).toEqual([1]);
    // What a client sends never becomes a label.
    expect(text).not.toContain("no-such-page");
    // The hub's supervision figures reach the gateway over the bus too.
    expect(value("fuse_instance_status", 'actor="measured"', 'status="running"')).toEqual([1]);
  });

  it("scrapes the hub's figures too: instance status and restarts, process CPU and memory, nats-server's own", async () => {
    const names = ["fuse_instance_status", "fuse_instance_restarts", "fuse_process_resident_memory_bytes", "fuse_process_cpu_seconds_total", "fuse_nodejs_eventloop_lag_seconds", "fuse_nats_in_messages_total", "fuse_nats_up"];
    for (const name of names) {
      const result = await waitFor(`${name} in Prometheus`, async () => ((await query(`${name}{actor="measured"} or ${name}{job="fuse"}`)).length ? query(name) : undefined), 30_000);
      expect(result.length, name).toBeGreaterThan(0);
    }
    const running = await query('fuse_instance_status{actor="measured",actor_instance="0",status="running"}');
    expect(running.map((s) => s.value![1])).toEqual(["1"]);
    expect(Number((await query("fuse_nats_up"))[0]!.value![1])).toBe(1);
    expect(Number((await query("fuse_nats_in_messages_total"))[0]!.value![1])).toBeGreaterThan(0);
  });
});
