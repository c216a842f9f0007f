import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, isAlive, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

// Short backoff and hang timeout so revivals happen quickly; busy lag 300 ms.
const CONFIG = `
health:
  heartbeatMs: 100
  busyLagMs: 300
  hangTimeoutMs: 2500
  silenceTimeoutMs: 1500
restart:
  initialDelayMs: 50
  maxRestarts: 3
  windowMs: 60000
actors:
  steady:
    instances: 2
`;

describe("supervision", () => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    dir = createHubDir({ config: CONFIG, actors: { steady: "worker", victim: "worker", sleeper: "worker", frozen: "worker", broken: "broken" } });
    hub = await startHub(dir);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("revives an instance killed with SIGKILL and it serves again, others untouched", async () => {
    const before = await hub.actor("victim");
    const steadyPids = (await hub.actor("steady")).pids;
    process.kill(before.pids[0]!, "SIGKILL");
    const after = await waitFor("victim revived", async () => {
      const a = await hub.actor("victim");
      return a.status === "running" && a.pids[0] !== before.pids[0] ? a : undefined;
    });
    expect(after.restarts).toBe(1);
    expect(after.instances[0]!.lastExit).toMatchObject({ signal: "SIGKILL" });
    await expect(hub.call("victim.echo", { text: "back" })).resolves.toMatchObject({ pid: after.pids[0] });
    expect((await hub.actor("steady")).pids).toEqual(steadyPids);
  });

  it("revives an instance whose process exits by itself", async () => {
    const before = await hub.actor("victim");
    await hub.call("victim.crash");
    const after = await waitFor("victim revived after exit", async () => {
      const a = await hub.actor("victim");
      return a.status === "running" && a.restarts > before.restarts ? a : undefined;
    });
    expect(after.instances[0]!.lastExit).toMatchObject({ code: 3 });
  });

  it("marks an actor that crashes on every start as failed and stops retrying; the hub keeps serving", async () => {
    const broken = await waitFor("broken marked failed", async () => {
      const a = await hub.actor("broken");
      return a.status === "failed" ? a : undefined;
    });
    expect(broken.restarts).toBe(3);
    expect(broken.instances[0]!.lastExit!.reason).toContain("broken actor broken cannot start");
    await expect(hub.call("steady.echo", { text: "still here" })).resolves.toMatchObject({ text: "still here" });
    expect(isAlive(hub.state.pid)).toBe(true);
  });

  it("does not mistake a long CPU-bound handler for a dead instance", async () => {
    const before = await hub.actor("sleeper");
    const busy = hub.call("sleeper.spin", { ms: 1500 });
    const seen = await waitFor("sleeper seen busy", async () => {
      const a = await hub.actor("sleeper");
      return a.status === "busy" ? a : undefined;
    });
    // Busy, and still the same process: not taken for dead and replaced.
    expect(seen.pids).toEqual(before.pids);
    await expect(busy).resolves.toMatchObject({ pid: before.pids[0] });
    const after = await waitFor("sleeper running again", async () => {
      const a = await hub.actor("sleeper");
      return a.status === "running" ? a : undefined;
    });
    expect(after.restarts).toBe(before.restarts);
    expect(after.pids).toEqual(before.pids);
  });

  it("restarts an instance whose main loop hangs past the hang timeout", async () => {
    const before = await hub.actor("sleeper");
    void hub.call("sleeper.spin", { ms: 600_000 }, { timeoutMs: 60_000 }).catch(() => undefined);
    const after = await waitFor("hung sleeper replaced", async () => {
      const a = await hub.actor("sleeper");
      return a.status === "running" && a.pids[0] !== before.pids[0] ? a : undefined;
    }, 30_000);
    expect(after.instances[0]!.lastExit!.reason).toContain("hung");
    expect(isAlive(before.pids[0]!)).toBe(false);
  });

  it("replaces a stopped process (SIGSTOP) as hung after the silence timeout, not busy for the hang timeout", async () => {
    await hub.call("frozen.echo", { text: "warm" });
    const before = await hub.actor("frozen");
    const frozenPid = before.pids[0]!;
    process.kill(frozenPid, "SIGSTOP");
    try {
      // Killed for its silence (1.5 s here), before the hang timeout (2.5 s) could apply.
      const after = await waitFor("the stopped instance replaced", async () => {
        const a = await hub.actor("frozen");
        return a.status === "running" && a.pids[0] !== frozenPid ? a : undefined;
      }, 20_000);
      expect(after.instances[0]!.lastExit!.reason).toMatch(/^killed by SIGKILL: hung: no heartbeat for \d+ ms \(stopped or frozen process\)$/);
      expect(isAlive(frozenPid)).toBe(false);
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => hub.call("frozen.echo", { text: String(i) }, { timeoutMs: 10_000 })));
      expect({ sent: 20, failed: results.filter((r) => r.status === "rejected").length }).toEqual({ sent: 20, failed: 0 });
    } finally {
      if (isAlive(frozenPid)) process.kill(frozenPid, "SIGCONT");
    }
  });

  it("rolls a restart one instance at a time: no request of a steady stream fails", async () => {
    const before = await hub.actor("steady");
    let stop = false;
    const failures: unknown[] = [];
    let done = 0;
    const stream = async () => {
      while (!stop) {
        try {
          await hub.call("steady.echo", { text: "x" }, { timeoutMs: 10_000 });
          done++;
        } catch (error) {
          failures.push(error);
        }
      }
    };
    const streams = [stream(), stream(), stream(), stream()];
    await waitFor("requests flowing", () => done > 20);
    const restarted = await hub.call<{ pids: number[]; restarts: number }>("hub.restart", { name: "steady" }, { timeoutMs: 60_000 });
    const atRestart = done;
    await waitFor("requests flowing after the restart", () => done > atRestart + 20);
    stop = true;
    await Promise.all(streams);
    expect(failures).toEqual([]);
    expect(restarted.pids).toHaveLength(2);
    expect(restarted.pids.some((p) => before.pids.includes(p))).toBe(false);
    expect(restarted.restarts).toBe(before.restarts + 2);
  });

  it("scales an actor up and down through the hub actor", async () => {
    const up = await hub.call<{ running: number; pids: number[] }>("hub.scale", { name: "victim", instances: 3 });
    expect(up).toMatchObject({ running: 3 });
    const down = await hub.call<{ running: number; pids: number[] }>("hub.scale", { name: "victim", instances: 1 });
    expect(down).toMatchObject({ running: 1 });
    const removed = up.pids.filter((p) => !down.pids.includes(p));
    await waitFor("scaled-down processes gone", () => removed.every((p) => !isAlive(p)));
  });

  it("stops and starts an actor through the hub actor", async () => {
    const stopped = await hub.call<{ status: string; pids: number[] }>("hub.stop", { name: "victim" });
    expect(stopped).toMatchObject({ status: "stopped", pids: [] });
    await expect(hub.call("victim.echo", { text: "x" }, { timeoutMs: 1000 })).rejects.toMatchObject({ code: "NO_LIVE_INSTANCE" });
    const started = await hub.call<{ status: string }>("hub.start", { name: "victim" });
    expect(started).toMatchObject({ status: "running" });
  });

  it("answers ACTOR_NOT_FOUND for control requests about an unknown actor", async () => {
    await expect(hub.call("hub.restart", { name: "nobody" })).rejects.toMatchObject({ code: "ACTOR_NOT_FOUND", status: 404 });
  });
});
