import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

type Via = { ok: boolean; code?: string; runs?: number; retryAfterMs?: number };
type Listed = { name: string; guards?: { bulkheads: unknown[]; circuits: unknown[] } };

/** `fuse actors ls` as a person reads it (the row of `actor`) and as a script does (`--json`). */
async function actorsLs(dir: string, actor: string): Promise<{ row: string; json: Listed }> {
  const table = await runCli(dir, ["actors", "ls"]);
  const listed = await runCli(dir, ["actors", "ls", "--json"]);
  expect(table.code, table.stderr).toBe(0);
  expect(listed.code, listed.stderr).toBe(0);
  const row = table.stdout.split("\n").find((line) => line.startsWith(`${actor} `)) ?? "";
  return { row, json: (JSON.parse(listed.stdout) as Listed[]).find((a) => a.name === actor)! };
}

// Bulkheads and circuit breakers on a real hub: `front` calls `back` through a breaker; `back`
// has a bulkhead on `slow` and a plain `quick` on the same single instance; `careful` calls
// through the breaker its config gives every call it makes.
describe("bulkheads and circuit breakers", () => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    // `careful` has a circuit for every call it makes, from the config.
    const careful = "  careful:\n    instances: 1\n    circuit:\n      errorRate: 0.5\n      minRequests: 3\n      openMs: 60000\n";
    dir = createHubDir({ config: `actors:\n  front:\n    instances: 1\n  back:\n    instances: 1\n${careful}`, actors: { front: "guarded", back: "guarded", careful: "guarded" } });
    hub = await startHub(dir);
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("refuses requests beyond its bulkhead (2 running, 1 waiting) with OVERLOADED while another endpoint of the instance answers", async () => {
    let overloaded = 0;
    const outcomes = Array.from({ length: 6 }, () =>
      // Held while fuse actors ls runs (two CLI processes, slow on a loaded machine): a long deadline.
      hub.call("back.slow", { gate: "bh" }, { timeoutMs: 100_000 }).then(
        () => "ok",
        (e: { code: string }) => (e.code === "OVERLOADED" && overloaded++, e.code),
      ),
    );
    // Two runs are inside the handler, held at their gate.
    await waitFor("two runs inside the bulkhead", async () => ((await hub.call<{ value: number }>("back.count", { key: "entered.bh" })).value === 2 ? true : undefined), 20_000);
    // The three beyond 2 running and 1 waiting are refused while the others are still held.
    await waitFor("three refusals", async () => (overloaded === 3 ? true : undefined), 20_000);
    // The instance's other endpoint answers while the bulkhead is full.
    const quick = await hub.call<{ pid: number }>("back.quick");
    expect(quick.pid).toBeGreaterThan(0);
    // fuse actors ls shows the refusals and the bulkhead's runs and queue, per endpoint.
    const ls = await actorsLs(dir, "back");
    expect(ls.json.guards?.bulkheads).toEqual([{ endpoint: "slow", running: 2, queued: 1, overloaded: 3 }]);
    expect(ls.row).toContain("slow 3 overloaded");
    await hub.call("back.set", { key: "gate.bh", on: true });
    const codes = await Promise.all(outcomes);
    expect({ sent: 6, succeeded: codes.filter((c) => c === "ok").length, overloaded: codes.filter((c) => c === "OVERLOADED").length }).toEqual({ sent: 6, succeeded: 3, overloaded: 3 });
    expect((await hub.call<{ value: number }>("back.count", { key: "entered.bh" })).value).toBe(3);
  }, 120_000);

  it("opens a circuit after failures, fails fast without calling, half-opens after openMs and closes on a successful probe", async () => {
    const circuit = { errorRate: 0.5, minRequests: 4, windowMs: 60_000, openMs: 1_500, probes: 1 };
    const via = () => hub.call<Via>("front.via", { target: "back.flaky", name: "c1", circuit });
    const runs = async () => (await hub.call<{ value: number }>("back.count", { key: "flaky-runs.c1" })).value;
    await hub.call("back.set", { key: "flaky.failing.c1", on: true });
    const failing = [await via(), await via(), await via(), await via()];
    expect(failing.map((r) => r.code)).toEqual(["HANDLER_FAILED", "HANDLER_FAILED", "HANDLER_FAILED", "HANDLER_FAILED"]);
    // Open: refused at once, and back.flaky is not called.
    const refused = await via();
    expect(refused.code).toBe("CIRCUIT_OPEN");
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(await runs()).toBe(4);
    // fuse actors ls shows the caller's open circuit and what it refused (it stays open until the next call after openMs).
    const ls = await actorsLs(dir, "front");
    expect(ls.json.guards?.circuits).toEqual([{ target: "back.flaky", state: "open", rejected: 1, openOn: [0], openedAt: expect.any(Number) as number }]);
    expect(ls.row).toContain("back.flaky open");
    expect(ls.row).toContain("back.flaky 1 circuit-open");
    // back recovers; after openMs one probe goes through and closes the circuit.
    await hub.call("back.set", { key: "flaky.failing.c1", on: false });
    const probe = await waitFor("the circuit to half-open", async () => {
      const r = await via();
      return r.code === "CIRCUIT_OPEN" ? undefined : r;
    }, 20_000);
    expect(probe.ok).toBe(true);
    expect(await runs()).toBe(5);
    const closed = await Promise.all([via(), via(), via()]);
    expect(closed.map((r) => r.ok)).toEqual([true, true, true]);
    expect(await runs()).toBe(8);
  }, 120_000);

  it("gives every call of an actor the circuit of its config (actors.<name>.circuit), and a fallback answers for an open one", async () => {
    const via = (fallback?: boolean) => hub.call<Via>("careful.via", { target: "back.flaky", name: "c3", ...(fallback ? { fallback } : {}) });
    const runs = async () => (await hub.call<{ value: number }>("back.count", { key: "flaky-runs.c3" })).value;
    await hub.call("back.set", { key: "flaky.failing.c3", on: true });
    // minRequests 3 and errorRate 0.5 from the config (the default would wait for 10 calls).
    const failing = [await via(), await via(), await via()];
    expect(failing.map((r) => r.code)).toEqual(["HANDLER_FAILED", "HANDLER_FAILED", "HANDLER_FAILED"]);
    const refused = await via();
    expect(refused.code).toBe("CIRCUIT_OPEN");
    // openMs 60000 from the config (the default is 5000).
    expect(refused.retryAfterMs).toBeGreaterThan(30_000);
    const fellBack = await via(true);
    expect(fellBack).toEqual({ ok: true, runs: -1, fellBack: "CIRCUIT_OPEN" });
    expect(await runs()).toBe(3);
  }, 60_000);

  it("answers a failed call with its fallback, given the error, and leaves a successful one alone", async () => {
    const via = () => hub.call<Via>("front.via", { target: "back.flaky", name: "f1", fallback: true });
    await hub.call("back.set", { key: "flaky.failing.f1", on: true });
    expect(await via()).toEqual({ ok: true, runs: -1, fellBack: "HANDLER_FAILED" });
    await hub.call("back.set", { key: "flaky.failing.f1", on: false });
    expect(await via()).toEqual({ ok: true, runs: 2 });
  }, 60_000);
});
