// Issue 18 points 7 and 9: the history behind the dashboard's charts and call graph, fed with the
// snapshots real ActorMetrics registries send over the bus (process gauges written as the same JSON).
import { describe, expect, it } from "vitest";
import { ActorMetrics, HISTORY_MAX_POINTS, LATENCY_BUCKETS, MetricName, MetricsHistory, histogramQuantile, type EndpointMetrics, type MetricsSnapshot } from "../../../runtime/metrics/index.ts";

const T0 = 1_700_000_000_000;
const BOUNDS = [...LATENCY_BUCKETS, Infinity];

/** A series of one process as prom-client's JSON has it (a gauge or a counter of the process figures). */
function figure(name: string, actor: string, instance: number, value: number, type = "gauge"): MetricsSnapshot[number] {
  return { name, help: "", type, aggregator: "sum", values: [{ labels: { actor, actor_instance: String(instance) }, value }] } as unknown as MetricsSnapshot[number];
}

/** Snapshots of registries as the bus carries them (JSON there and back). */
async function snapshots(...registries: ActorMetrics[]): Promise<MetricsSnapshot[]> {
  return Promise.all(registries.map(async (r) => JSON.parse(JSON.stringify(await r.snapshot())) as MetricsSnapshot));
}

const repeat = (n: number, f: () => void) => Array.from({ length: n }, f);

describe("histogram quantile", () => {
  it("interpolates inside the bucket where the rank falls, as Prometheus's histogram_quantile does", () => {
    expect(histogramQuantile(0.5, [0.1, 0.2, Infinity], [10, 20, 20])).toBeCloseTo(0.1, 12);
    expect(histogramQuantile(0.99, [0.1, 0.2, Infinity], [10, 20, 20])).toBeCloseTo(0.198, 12);
    expect(histogramQuantile(0.25, [0.1, 0.2, Infinity], [10, 20, 20])).toBeCloseTo(0.05, 12);
  });

  it("gives the last finite bound for a rank above it, null for an empty histogram, and mends dips", () => {
    expect(histogramQuantile(0.99, [0.1, 0.2, Infinity], [1, 2, 100])).toBe(0.2);
    expect(histogramQuantile(0.5, [0.1, 0.2, Infinity], [0, 0, 0])).toBeNull();
    // A bucket summed from processes that restarted may dip below the one before: counted as flat.
    expect(histogramQuantile(0.5, [0.1, 0.2, Infinity], [10, 4, 20])).toBeCloseTo(0.1, 12);
  });
});

describe("metrics history", () => {
  it("turns counter deltas into per-interval rate, error ratio and p50/p99, and the window's totals", async () => {
    const metrics = new ActorMetrics({ actor: "shop", instance: 0 });
    const buy = metrics.endpoint("buy", ["REFUSED"]);
    const history = new MetricsHistory({ intervalMs: 10_000 });
    repeat(7, () => buy.done("OK", 0.003)); // before the baseline: never charted
    history.record(T0, await snapshots(metrics));
    repeat(27, () => buy.done("OK", 0.003));
    repeat(3, () => buy.done("OK", 0.4));
    repeat(10, () => buy.done("REFUSED", 0.0004));
    history.record(T0 + 10_000, await snapshots(metrics));
    repeat(5, () => buy.done("OK", 0.02));
    history.record(T0 + 20_000, await snapshots(metrics));

    const shop = history.actor("shop")!;
    expect(shop.endpoints).toEqual(["buy"]);
    const [first, second] = shop.traffic.points;
    expect(first).toMatchObject({ at: T0 + 10_000, seconds: 10, requests: 40, errors: 10, rate: 4, errorRatio: 0.25 });
    // 10 fast refusals (≤ 0.5 ms), 27 at 3 ms (2.5–5 ms), 3 at 0.4 s (0.25–0.5 s): the median is among the 3 ms ones.
    const cumulative = BOUNDS.map((b) => (b <= 0.0005 ? 10 : b < 0.005 ? 10 : b < 0.5 ? 37 : 40));
    expect(first!.p50).toBeCloseTo(histogramQuantile(0.5, BOUNDS, cumulative)!, 12);
    expect(first!.p50).toBeGreaterThan(0.0025);
    expect(first!.p50).toBeLessThanOrEqual(0.005);
    expect(first!.p99).toBeGreaterThan(0.25);
    expect(first!.p99).toBeLessThanOrEqual(0.5);
    expect(second).toMatchObject({ requests: 5, errors: 0, rate: 0.5, errorRatio: 0 });
    expect(shop.traffic.window).toMatchObject({ seconds: 20, requests: 45, errors: 10, rate: 45 / 20 });
    expect(shop.traffic.window.p99!).toBeGreaterThanOrEqual(shop.traffic.window.p50!);
  });

  it("keeps idle intervals as zero rate with no ratio or quantile, and the first sample as the baseline only", async () => {
    const metrics = new ActorMetrics({ actor: "idle", instance: 0 });
    const ping = metrics.endpoint("ping");
    repeat(50, () => ping.done("OK", 0.001));
    const history = new MetricsHistory({ intervalMs: 1000 });
    history.record(T0, await snapshots(metrics));
    expect(history.overview()).toMatchObject({ from: null, to: null, actors: [{ actor: "idle", traffic: { points: [] } }] });
    history.record(T0 + 1000, await snapshots(metrics));
    expect(history.actor("idle")!.traffic.points).toEqual([{ at: T0 + 1000, seconds: 1, requests: 0, errors: 0, rate: 0, errorRatio: null, p50: null, p99: null }]);
    expect(history.overview()).toMatchObject({ from: T0, to: T0 + 1000 });
  });

  it("counts a counter that went down (a restarted process) from zero, never as a negative rate", async () => {
    const before = new ActorMetrics({ actor: "svc", instance: 0 });
    const old = before.endpoint("a");
    repeat(100, () => old.done("OK", 0.001));
    const history = new MetricsHistory({ intervalMs: 1000 });
    history.record(T0, await snapshots(before));
    const after = new ActorMetrics({ actor: "svc", instance: 0 });
    const a = after.endpoint("a");
    repeat(4, () => a.done("OK", 0.001));
    repeat(2, () => a.done("HANDLER_FAILED", 0.001));
    history.record(T0 + 1000, await snapshots(after));
    const [point] = history.actor("svc")!.traffic.points;
    expect(point).toMatchObject({ requests: 6, errors: 2, rate: 6 });
    expect(point!.p50).not.toBeNull();
  });

  it("tells a restart by the process's new start time even when its count passed the old one", async () => {
    const before = new ActorMetrics({ actor: "svc", instance: 0 });
    const old = before.endpoint("a");
    repeat(3, () => old.done("OK", 0.001));
    const history = new MetricsHistory({ intervalMs: 1000 });
    const started = (s: number) => figure(MetricName.processStart, "svc", 0, s);
    history.record(T0, [[...(await snapshots(before))[0]!, started(T0 / 1000 - 60)]]);
    const after = new ActorMetrics({ actor: "svc", instance: 0 });
    const a = after.endpoint("a");
    repeat(8, () => a.done("OK", 0.001));
    history.record(T0 + 1000, [[...(await snapshots(after))[0]!, started(T0 / 1000 + 0.5)]]);
    // 8 new requests, not 8 - 3.
    expect(history.actor("svc")!.traffic.points[0]!.requests).toBe(8);
  });

  it("counts a series from its last value when its process missed a sample, and a new series or process from zero", async () => {
    const a = new ActorMetrics({ actor: "a", instance: 0 });
    const b = new ActorMetrics({ actor: "b", instance: 0 });
    const ea = a.endpoint("x");
    const eb = b.endpoint("y");
    repeat(10, () => eb.done("OK", 0.001));
    const history = new MetricsHistory({ intervalMs: 1000 });
    history.record(T0, await snapshots(a, b));
    repeat(3, () => eb.done("OK", 0.001));
    history.record(T0 + 1000, await snapshots(a)); // b did not answer in time
    repeat(2, () => eb.done("OK", 0.001));
    // a's first call to c: a series born now, counted whole; c is a process started since.
    const c = new ActorMetrics({ actor: "c", instance: 0 });
    const [z, toZ] = [c.endpoint("z"), a.callsTo("c.z")];
    repeat(6, () => z.done("OK", 0.001));
    repeat(6, () => toZ.done("OK", 0.001));
    repeat(1, () => ea.done("OK", 0.001));
    history.record(T0 + 2000, await snapshots(a, b, c));
    expect(history.actor("b")!.traffic.points.map((p) => p.requests)).toEqual([0, 5]);
    expect(history.actor("c")!.traffic.points.map((p) => p.requests)).toEqual([0, 6]);
    expect(history.graph().edges).toEqual([{ from: "a", to: "c", calls: 6, errors: 0, rate: 3, errorRatio: 0 }]);
  });

  it("does not count what a process that missed the baseline had counted before it", async () => {
    const early = new ActorMetrics({ actor: "early", instance: 0 });
    const work = early.endpoint("work");
    repeat(500, () => work.done("OK", 0.001));
    const started = figure(MetricName.processStart, "early", 0, T0 / 1000 - 3600);
    const history = new MetricsHistory({ intervalMs: 1000 });
    history.record(T0, []); // it did not answer the first sample
    repeat(2, () => work.done("OK", 0.001));
    history.record(T0 + 1000, [[...(await snapshots(early))[0]!, started]]);
    repeat(3, () => work.done("OK", 0.001));
    history.record(T0 + 2000, [[...(await snapshots(early))[0]!, started]]);
    expect(history.actor("early")!.traffic.points.map((p) => p.requests)).toEqual([0, 3]);
  });

  it("keeps at most a quarter hour, and at most HISTORY_MAX_POINTS intervals however short the interval", async () => {
    const metrics = new ActorMetrics({ actor: "busy", instance: 0 });
    const e = metrics.endpoint("e");
    const tenSeconds = new MetricsHistory({ intervalMs: 10_000 });
    const short = new MetricsHistory({ intervalMs: 500 });
    expect(tenSeconds.capacity).toBe(90);
    expect(short.capacity).toBe(HISTORY_MAX_POINTS);
    for (let i = 0; i <= 400; i++) {
      e.done("OK", 0.001);
      const s = await snapshots(metrics);
      tenSeconds.record(T0 + i * 10_000, s);
      short.record(T0 + i * 500, s);
    }
    const points = tenSeconds.actor("busy")!.traffic.points;
    expect(points).toHaveLength(90);
    expect(points.at(-1)!.at).toBe(T0 + 400 * 10_000);
    expect(points[0]!.at).toBe(T0 + 311 * 10_000);
    expect(tenSeconds.span()).toMatchObject({ windowMs: 15 * 60_000, from: T0 + 310 * 10_000 });
    expect(short.actor("busy")!.traffic.points).toHaveLength(HISTORY_MAX_POINTS);
    expect(short.span().windowMs).toBe(HISTORY_MAX_POINTS * 500);
  });

  it("charts one endpoint on demand, apart from the actor's others", async () => {
    const metrics = new ActorMetrics({ actor: "shop", instance: 0 });
    const [buy, list] = [metrics.endpoint("buy"), metrics.endpoint("list")];
    const history = new MetricsHistory({ intervalMs: 1000 });
    history.record(T0, await snapshots(metrics));
    repeat(3, () => buy.done("OK", 0.3));
    repeat(9, () => list.done("OK", 0.001));
    history.record(T0 + 1000, await snapshots(metrics));
    expect(history.endpoint("shop", "buy")!.points[0]).toMatchObject({ requests: 3 });
    expect(history.endpoint("shop", "buy")!.points[0]!.p50).toBeGreaterThan(0.25);
    expect(history.endpoint("shop", "list")!.points[0]).toMatchObject({ requests: 9 });
    expect(history.endpoint("shop", "list")!.points[0]!.p99).toBeLessThanOrEqual(0.001);
    expect(history.actor("shop")!.traffic.points[0]).toMatchObject({ requests: 12 });
    expect(history.endpoint("shop", "nope")).toBeUndefined();
    expect(history.actor("nobody")).toBeUndefined();
  });

  it("gives each instance its CPU share, memory and lag, the watchdog's lag before the scrape's", () => {
    const history = new MetricsHistory({ intervalMs: 2000 });
    const process = (cpu: number, memory: number) => [
      figure(MetricName.processCpu, "w", 0, cpu, "counter"),
      figure(MetricName.processMemory, "w", 0, memory),
      figure(MetricName.eventLoopLag, "w", 0, 0.001),
      figure(MetricName.processCpu, "w", 1, cpu / 2, "counter"),
      figure(MetricName.eventLoopLag, "w", 1, 0.002),
    ];
    const hub = [figure(MetricName.instanceLag, "w", 0, 0.25)];
    history.record(T0, [process(10, 1e8), hub]);
    history.record(T0 + 2000, [process(11, 2e8), hub]);
    const [zero, one] = history.actor("w")!.instances;
    expect(zero).toEqual({ instance: "0", points: [{ at: T0 + 2000, cpu: 0.5, memory: 2e8, lag: 0.25 }] });
    expect(one).toEqual({ instance: "1", points: [{ at: T0 + 2000, cpu: 0.25, memory: null, lag: 0.002 }] });
  });
});

describe("call graph", () => {
  // One binding per caller and target, as the SDK's CallFigures keeps them.
  const bound = new Map<ActorMetrics, Map<string, EndpointMetrics>>();
  const to = (caller: ActorMetrics, target: string) => {
    const targets = bound.get(caller) ?? new Map<string, EndpointMetrics>();
    bound.set(caller, targets);
    if (!targets.has(target)) targets.set(target, caller.callsTo(target));
    return targets.get(target)!;
  };

  /** An interval in which each caller made `ok` and `failed` calls to its target. */
  async function calls(history: MetricsHistory, at: number, made: [ActorMetrics, string, number, number][]) {
    for (const [caller, target, ok, failed] of made) {
      repeat(ok, () => to(caller, target).done("OK", 0.001));
      repeat(failed, () => to(caller, target).done("REFUSED", 0.001));
    }
    history.record(at, await snapshots(...new Set(made.map((m) => m[0]))));
  }

  it("draws actors as nodes and observed calls as edges with rate and error ratio over the last minute", async () => {
    const front = new ActorMetrics({ actor: "front", instance: 0 });
    const back = new ActorMetrics({ actor: "back", instance: 0 });
    const store = new ActorMetrics({ actor: "store", instance: 0 });
    front.endpoint("go");
    const history = new MetricsHistory({ intervalMs: 10_000 });
    await calls(history, T0, [[front, "back.work", 0, 0], [back, "store.get", 0, 0], [store, "store.get", 0, 0]]);
    // Over a minute before the newest interval: outside the graph's window.
    await calls(history, T0 + 10_000, [[front, "back.work", 1000, 0], [back, "store.get", 0, 0], [store, "store.get", 0, 0]]);
    for (let i = 2; i <= 8; i++) await calls(history, T0 + i * 10_000, [[front, "back.work", 10, 2], [back, "store.get", 5, 0], [store, "store.get", 1, 0]]);
    const graph = history.graph();
    expect(graph.seconds).toBe(60);
    expect(graph.edges).toEqual([
      { from: "back", to: "store", calls: 30, errors: 0, rate: 0.5, errorRatio: 0 },
      { from: "front", to: "back", calls: 72, errors: 12, rate: 1.2, errorRatio: 12 / 72 },
      { from: "store", to: "store", calls: 6, errors: 0, rate: 0.1, errorRatio: 0 },
    ]);
    expect(graph.nodes.map((n) => [n.actor, n.depth])).toEqual([["front", 0], ["back", 1], ["store", 2]]);
    // store calls itself: a loop is an edge but no layer of its own.
    expect(graph.nodes.find((n) => n.actor === "store")).toMatchObject({ requests: 0, rate: 0, errorRatio: null });
  });

  it("lays out actors that only call each other in a ring, deterministically", async () => {
    const x = new ActorMetrics({ actor: "x", instance: 0 });
    const y = new ActorMetrics({ actor: "y", instance: 0 });
    const history = new MetricsHistory({ intervalMs: 1000 });
    await calls(history, T0, [[x, "y.a", 0, 0], [y, "x.a", 0, 0]]);
    await calls(history, T0 + 1000, [[x, "y.a", 1, 0], [y, "x.a", 0, 3]]);
    const graph = history.graph();
    expect(graph.nodes.map((n) => [n.actor, n.depth])).toEqual([["x", 0], ["y", 1]]);
    expect(graph.edges.find((e) => e.from === "y")).toMatchObject({ to: "x", calls: 3, errors: 3, errorRatio: 1 });
  });

  it("has no edges before two samples and never a label beyond what the metrics bound", async () => {
    const caller = new ActorMetrics({ actor: "fan", instance: 0 });
    const history = new MetricsHistory({ intervalMs: 1000 });
    expect(history.graph()).toEqual({ seconds: 0, to: null, nodes: [], edges: [] });
    history.record(T0, await snapshots(caller));
    // A target that names no actor (a caller past its 200 targets counts the rest as `other`).
    caller.callsTo("other").done("OK", 0.001);
    caller.callsTo("t.e").done("OK", 0.001);
    history.record(T0 + 1000, await snapshots(caller));
    expect(history.graph().edges.map((e) => `${e.from}->${e.to}`)).toEqual(["fan->t"]);
  });
});
