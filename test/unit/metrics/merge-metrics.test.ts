import { describe, expect, it } from "vitest";
import { ActorMetrics, HubMetrics, MetricName, exposition, metricsSubject, snapshotsOf } from "../../../runtime/metrics/index.ts";

const encoder = new TextEncoder();

/** The value of one series of the text exposition, found by its name and labels (in any order). */
function valueOf(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-z_:]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe("metrics merging and naming", () => {
  it("merges the snapshots of several instances into one exposition, each series labelled by actor and instance", async () => {
    const first = new ActorMetrics({ actor: "greeter", instance: 0 });
    const second = new ActorMetrics({ actor: "greeter", instance: 1 });
    const hello0 = first.endpoint("hello");
    const hello1 = second.endpoint("hello");
    for (let i = 0; i < 3; i++) hello0.done("OK", 0.002);
    hello0.done("NOT_FOUND", 0.0004);
    for (let i = 0; i < 5; i++) hello1.done("OK", 0.3);
    // Sent over the bus as JSON, as each process answers $SRV.METRICS.
    const replies = [JSON.stringify(await first.snapshot()), JSON.stringify(await second.snapshot()), "not json", "{}"].map((t) => encoder.encode(t));
    const { text, contentType } = await exposition(snapshotsOf(replies));

    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(valueOf(text, MetricName.requests, { actor: "greeter", actor_instance: "0", endpoint: "hello", code: "OK" })).toBe(3);
    expect(valueOf(text, MetricName.requests, { actor: "greeter", actor_instance: "0", endpoint: "hello", code: "NOT_FOUND" })).toBe(1);
    expect(valueOf(text, MetricName.requests, { actor: "greeter", actor_instance: "1", endpoint: "hello", code: "OK" })).toBe(5);
    expect(valueOf(text, MetricName.requests, { actor: "greeter", actor_instance: "1", endpoint: "hello", code: "NOT_FOUND" })).toBeUndefined();
    // Histogram buckets in seconds, cumulative: 0.0004 s falls in le=0.0005, the 0.002 s ones by le=0.0025.
    expect(valueOf(text, `${MetricName.requestDuration}_bucket`, { actor_instance: "0", endpoint: "hello", le: "0.0005" })).toBe(1);
    expect(valueOf(text, `${MetricName.requestDuration}_bucket`, { actor_instance: "0", endpoint: "hello", le: "0.0025" })).toBe(4);
    expect(valueOf(text, `${MetricName.requestDuration}_count`, { actor_instance: "1", endpoint: "hello" })).toBe(5);
    expect(valueOf(text, `${MetricName.requestDuration}_bucket`, { actor_instance: "1", endpoint: "hello", le: "0.25" })).toBe(0);
    expect(valueOf(text, `${MetricName.requestDuration}_bucket`, { actor_instance: "1", endpoint: "hello", le: "0.5" })).toBe(5);
    // One HELP and TYPE per metric, however many processes sent it.
    expect(text.match(new RegExp(`^# TYPE ${MetricName.requests} counter$`, "gm"))).toHaveLength(1);
  });

  it("names metrics by Prometheus's conventions: fuse_ prefix, base units, _total on counters", async () => {
    const actor = new ActorMetrics({ actor: "a", instance: 0, processMetrics: true });
    actor.endpoint("e").done("OK", 0.001);
    actor.callsTo("b.f").done("UNAVAILABLE", 0.01);
    const hub = new HubMetrics({ statuses: () => [] });
    const { text } = await exposition([await actor.snapshot(), await hub.snapshot()]);
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => ({ name: m[1]!, type: m[2]! }));
    expect(types.length).toBeGreaterThan(5);
    for (const { name, type } of types) {
      expect(name).toMatch(/^fuse_[a-z0-9_]+$/);
      if (type === "counter") expect(name).toMatch(/_total$/);
      expect(name).not.toMatch(/_(ms|milliseconds|kb|mb)(_|$)/);
    }
    const names = types.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining([MetricName.calls, MetricName.callDuration, "fuse_process_cpu_seconds_total", "fuse_process_resident_memory_bytes", "fuse_nodejs_eventloop_lag_seconds"]));
    expect(valueOf(text, MetricName.calls, { actor: "a", target: "b.f", code: "UNAVAILABLE" })).toBe(1);
  });

  it("reads the hub's figures from the supervisor when scraped: restarts, a status series per state, lag", async () => {
    const instance = { index: 1, pid: 42, status: "busy" as const, restarts: 3, startedAt: 1, lagMs: 250 };
    const actor = { name: "greeter", builtin: false, kind: "actor" as const, module: "m", status: "busy" as const, desired: 2, running: 1, restarts: 3, pids: [42], uptimeMs: 1, requests: 0, errors: 0, meanMs: 0, instances: [instance] };
    const { text } = await exposition([await new HubMetrics({ statuses: () => [actor] }).snapshot()]);
    expect(valueOf(text, MetricName.instanceRestarts, { actor: "greeter", actor_instance: "1" })).toBe(3);
    expect(valueOf(text, MetricName.instanceStatus, { actor: "greeter", actor_instance: "1", status: "busy" })).toBe(1);
    expect(valueOf(text, MetricName.instanceStatus, { actor: "greeter", actor_instance: "1", status: "running" })).toBe(0);
    expect(valueOf(text, MetricName.instanceLag, { actor: "greeter", actor_instance: "1" })).toBe(0.25);
  });

  it("has an endpoint's OK and declared-error counts and its latency at zero before any request, so rate() counts the first", async () => {
    const metrics = new ActorMetrics({ actor: "shop", instance: 2 });
    metrics.endpoint("reserve", ["OUT_OF_STOCK"]);
    const { text } = await exposition([await metrics.snapshot()]);
    expect(valueOf(text, MetricName.requests, { actor: "shop", actor_instance: "2", endpoint: "reserve", code: "OK" })).toBe(0);
    expect(valueOf(text, MetricName.requests, { endpoint: "reserve", code: "OUT_OF_STOCK" })).toBe(0);
    expect(valueOf(text, `${MetricName.requestDuration}_bucket`, { endpoint: "reserve", le: "+Inf" })).toBe(0);
    // Prometheus's own target label is left to Prometheus.
    expect(text).not.toMatch(/[{,]instance="/);
  });

  it("asks every process on one subject, or one actor's on its own", () => {
    expect(metricsSubject()).toBe("$SRV.METRICS");
    expect(metricsSubject("greeter")).toBe("$SRV.METRICS.greeter");
  });
});
