import { describe, expect, it } from "vitest";
import { isAlive, killLeftovers, waitFor } from "../helpers/index.ts";
import { stateOf, useFaultHub } from "./fault-hub.ts";
import { postOutcome } from "./http-client.ts";
import { Outcome, faultUnderLoad, startLoad } from "./load.ts";
import { countLoad } from "./report.ts";

const CLIENTS = 4;
const GONE_BOUND_MS = 10_000;

describe("fault: the hub killed under HTTP load", () => {
  const f = useFaultHub("hub-kill", { config: "actors:\n  worker:\n    instances: 2\n", actors: { worker: "worker" } });

  it("leaves no process running 10 s after a kill -9 of the hub", async () => {
    const url = `${f.hub.state.gatewayUrl}/api/worker/echo`;
    const load = startLoad({
      clients: CLIENTS,
      maxPerClient: 1500,
      maxMs: 30_000,
      send: (c, seq) => postOutcome(url, { text: `${c}-${seq}` }, { deadlineMs: 5000, answerMs: 15_000 }),
      pauseMs: (outcome) => (outcome === Outcome.ok ? 10 : 100),
    });
    await waitFor("the load flowing", () => load.okSince(0) >= 40);
    const pids = [...new Set([...(await f.hub.pids()), ...stateOf(f.dir)!.servicePids])];
    // servers (nats-server, sqld) + 2 workers + the built-in db, gateway and taskmaster
    expect(pids.length).toBeGreaterThanOrEqual(7);
    f.hub.expectExit();
    const { faultAt, inflightAtFault } = await faultUnderLoad(load, () => f.hub.process.kill("SIGKILL"));
    const goneAt = await waitFor("every process of the killed hub to exit", () => (pids.some(isAlive) ? undefined : Date.now()), GONE_BOUND_MS).catch(() => undefined);
    // Counted, then killed by pid: nothing of the test stays behind.
    const left = killLeftovers(pids);
    const goneIn = goneAt === undefined ? "more than 10 s" : `${((goneAt - faultAt) / 1000).toFixed(2)} s`;
    // The hub stays down: every failure after the kill is inside the outage.
    const counts = countLoad(await load.stop(), faultAt, Infinity);
    f.record({
      id: 6,
      fault: "kill -9 hub",
      load: `${CLIENTS} HTTP clients → worker.echo, retry after 100 ms`,
      inflightAtFault,
      ...counts,
      faultToBackMs: null,
      bound: `${pids.length} processes gone ≤ 10 s`,
      leftAfterStop: left.length,
      cost: `nothing revives the hub itself: requests in flight get no answer, new connections are refused; all ${pids.length} of its processes exit with it (here within ${goneIn}).`,
    });
    expect({ started: pids.length, left }).toEqual({ started: pids.length, left: [] });
    // Nothing failed before the kill.
    expect(counts.failuresOutside).toBe(0);
  });
});
