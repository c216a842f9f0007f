import { describe, expect, it } from "vitest";
import { PodHealth } from "../../../runtime/hub/pod/pod-health.ts";

const OPTIONS = { busyLagMs: 1000, hangTimeoutMs: 30_000, silenceTimeoutMs: 3000 };

describe("the probes of an actor in a pod", () => {
  it("is live but not ready while the module loads, however long the loop lags", () => {
    const health = new PodHealth(OPTIONS, 0);
    health.observe({ type: "heartbeat", lagMs: 50_000, inflight: 0 }, 100);
    expect(health.live(200)).toEqual({ ok: true, reason: "starting" });
    expect(health.readiness(200)).toEqual({ ok: false, reason: "starting" });
  });

  it("is ready after the ready line; busy stays live and ready; a lag past the hang timeout is neither", () => {
    const health = new PodHealth(OPTIONS, 0);
    health.observe({ type: "ready", pid: 1, serviceId: "x" }, 0);
    expect(health.readiness(100)).toEqual({ ok: true, reason: "ok" });
    health.observe({ type: "heartbeat", lagMs: 2000, inflight: 1 }, 2000);
    expect(health.live(2100)).toEqual({ ok: true, reason: "busy" });
    health.observe({ type: "heartbeat", lagMs: 30_000, inflight: 1 }, 30_000);
    expect(health.live(30_100)).toEqual({ ok: false, reason: "hung: main loop blocked for 30000 ms" });
    expect(health.readiness(30_100).ok).toBe(false);
  });

  it("calls a silent watchdog hung after the silence timeout", () => {
    const health = new PodHealth(OPTIONS, 0);
    health.observe({ type: "ready" }, 0);
    expect(health.live(3000)).toEqual({ ok: false, reason: "hung: no heartbeat for 3000 ms (stopped or frozen process)" });
  });

  it("is not ready once draining, while still live", () => {
    const health = new PodHealth(OPTIONS, 0);
    health.observe({ type: "ready" }, 0);
    health.startDraining();
    expect(health.readiness(10)).toEqual({ ok: false, reason: "draining" });
    expect(health.live(10).ok).toBe(true);
  });

  it("is neither live nor ready after a fatal line, naming it", () => {
    const health = new PodHealth(OPTIONS, 0);
    health.observe({ type: "fatal", code: "NO_LIVE_INSTANCE", message: "cannot connect to the bus at nats://x:1" }, 10);
    expect(health.live(20)).toEqual({ ok: false, reason: "fatal: NO_LIVE_INSTANCE: cannot connect to the bus at nats://x:1" });
    expect(health.readiness(20).ok).toBe(false);
  });
});
