import { describe, expect, it } from "vitest";
import { waitFor } from "../helpers/index.ts";
import { stateOf, useFaultHub } from "./fault-hub.ts";
import { postOutcome } from "./http-client.ts";
import { faultUnderLoad, startLoad } from "./load.ts";
import { countLoad } from "./report.ts";

const CLIENTS = 4;
const RECOVERY_BOUND_MS = 10_000;

// Defaults throughout (restart.initialDelayMs 200 ms): the bound is the one the README states.
describe("fault: nats-server killed under HTTP load", () => {
  const f = useFaultHub("bus-outage", { config: "actors:\n  worker:\n    instances: 2\n", actors: { worker: "worker" } });

  it("fails requests only between a kill -9 of nats-server and the first success after it, which comes within 10 s", async () => {
    const url = `${f.hub.state.gatewayUrl}/api/worker/echo`;
    const load = startLoad({
      clients: CLIENTS,
      maxPerClient: 1500,
      maxMs: 30_000,
      send: (c, seq) => postOutcome(url, { text: `${c}-${seq}` }, { deadlineMs: 5000, answerMs: 15_000 }),
    });
    await waitFor("the load flowing", () => load.okSince(0) >= 40);
    const natsPid = stateOf(f.dir)!.servicePids[0]!;
    const { faultAt, inflightAtFault } = await faultUnderLoad(load, () => process.kill(natsPid, "SIGKILL"));
    const backAt = await waitFor("nats-server revived on its port", () => {
      const s = stateOf(f.dir);
      return s && s.servicePids[0] !== natsPid && s.busDownSince === undefined ? Date.now() : undefined;
    }, 30_000);
    await waitFor("40 requests answered after the revival", () => load.okSince(backAt) >= 40, 20_000);
    const counts = countLoad(await load.stop(), faultAt, backAt);
    f.record({
      id: 1,
      fault: "kill -9 nats-server",
      load: `${CLIENTS} HTTP clients → worker.echo (2 instances), deadline 5 s`,
      inflightAtFault,
      ...counts,
      faultToBackMs: backAt - faultAt,
      bound: "first ok ≤ 10 s",
      cost: "requests the gateway relayed around the kill and while its bus connection was down are lost and fail only at their deadline (504 DEADLINE_EXCEEDED), though the server is back on its port far sooner; every later request succeeds.",
    });
    expect(stateOf(f.dir)!.natsUrl).toBe(f.hub.state.natsUrl);
    expect(counts).toMatchObject({ failuresOutside: 0, noAnswer: 0 });
    expect(counts.faultToFirstOkMs).not.toBeNull();
    expect(counts.faultToFirstOkMs!).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
  });
});
