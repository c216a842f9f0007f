import { describe, expect, it } from "vitest";
import { waitFor } from "../helpers/index.ts";
import { stateOf, useFaultHub } from "./fault-hub.ts";
import { postOutcome } from "./http-client.ts";
import { Outcome, faultUnderLoad, startLoad } from "./load.ts";
import { countLoad } from "./report.ts";

const CLIENTS = 4;
const RECOVERY_BOUND_MS = 10_000;

describe("fault: the gateway killed under HTTP load", () => {
  const f = useFaultHub("gateway-outage", { config: "actors:\n  worker:\n    instances: 2\n", actors: { worker: "worker" } });

  it("refuses connections only between a kill -9 of the gateway and its revival at the same URL, within 10 s", async () => {
    const url = f.hub.state.gatewayUrl!;
    const load = startLoad({
      clients: CLIENTS,
      maxPerClient: 1500,
      maxMs: 30_000,
      send: (c, seq) => postOutcome(`${url}/api/worker/echo`, { text: `${c}-${seq}` }, { deadlineMs: 5000, answerMs: 15_000 }),
      // The clients retry a connection error after 100 ms.
      pauseMs: (outcome) => (outcome === Outcome.refused || outcome === Outcome.noAnswer ? 100 : 10),
    });
    await waitFor("the load flowing", () => load.okSince(0) >= 40);
    const gatewayPid = (await f.hub.actor("gateway")).pids[0]!;
    const { faultAt, inflightAtFault } = await faultUnderLoad(load, () => process.kill(gatewayPid, "SIGKILL"));
    const backAt = await waitFor("the gateway revived", async () => {
      const g = await f.hub.actor("gateway");
      return g.status === "running" && g.pids[0] !== gatewayPid ? Date.now() : undefined;
    }, 30_000);
    await waitFor("40 requests answered after the revival", () => load.okSince(backAt) >= 40, 20_000);
    const counts = countLoad(await load.stop(), faultAt, backAt);
    f.record({
      id: 2,
      fault: "kill -9 gateway",
      load: `${CLIENTS} HTTP clients → worker.echo, retry after 100 ms`,
      inflightAtFault,
      ...counts,
      faultToBackMs: backAt - faultAt,
      bound: "first ok ≤ 10 s",
      cost: "a request in flight on the gateway, or sent on a kept-alive connection to it, gets no answer (fate unknown); new connections are refused (never sent, safe to retry) until it is back at the same URL.",
    });
    expect(stateOf(f.dir)!.gatewayUrl).toBe(url);
    // Only a request in flight on the killed process can go unanswered: at most one a client.
    expect(counts.noAnswer).toBeLessThanOrEqual(CLIENTS);
    expect(counts.failuresOutside).toBe(0);
    expect(counts.faultToFirstOkMs).not.toBeNull();
    expect(counts.faultToFirstOkMs!).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
  });
});
