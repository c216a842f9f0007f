import { describe, expect, it } from "vitest";
import { isAlive, waitFor } from "../helpers/index.ts";
import { faultActor, useFaultHub } from "./fault-hub.ts";
import { post, postOutcome } from "./http-client.ts";
import { faultOneInstance } from "./instance-fault.ts";
import { Outcome, startLoad, type Attempt } from "./load.ts";
import { addCounts, countLoad } from "./report.ts";

// Defaults throughout: health.silenceTimeoutMs 3 s, restart.initialDelayMs 200 ms.
const CONFIG = `
actors:
  pair:
    instances: 2
  victim:
    instances: 2
  bulky:
    instances: 1
`;
const CLIENTS = 4;
const MIB = 1024 * 1024;
const request = { deadlineMs: 5000, answerMs: 15_000 };

describe("fault: one actor instance fails under HTTP load", () => {
  const f = useFaultHub("instance-faults", { config: CONFIG, actors: { pair: "worker", victim: "worker", bulky: faultActor("bulky") } });
  const api = (path: string) => `${f.hub.state.gatewayUrl}/api/${path}`;

  it("replaces an instance stopped with SIGSTOP, and every request sent after the replacement succeeds", async () => {
    const run = await faultOneInstance(f, { actor: "pair", instances: 2, signal: "SIGSTOP", endpoint: "echo", input: { text: "x" }, clients: CLIENTS, deadlineMs: 5000 });
    f.record(
      {
        id: 4,
        fault: "SIGSTOP 1 of 2 instances",
        load: `${CLIENTS} HTTP clients → pair.echo, deadline 5 s`,
        inflightAtFault: run.inflightAtFault,
        ...run.counts,
        faultToBackMs: run.backAt - run.faultAt,
        bound: "all ok after replacement",
        cost: "requests the stopped instance took are held until their deadline (504 DEADLINE_EXCEEDED; point 9 of the fault-tolerance issue, which bus.receipts does not change for a stopped process: row 8); the hub kills and replaces it after health.silenceTimeoutMs (3 s); the other instance serves everything else.",
      },
      "SIGSTOP",
    );
    expect(isAlive(run.hit)).toBe(false);
    // Today the requests the stopped instance held time out: counted above, not asserted.
    expect(run.attempts.filter((a) => a.start > run.backAt && a.outcome !== Outcome.ok)).toEqual([]);
    expect(run.counts.failuresOutside).toBe(0);
  });

  it("revives an instance killed with kill -9; only requests in flight on it fail, and every request sent after the revival succeeds", async () => {
    const run = await faultOneInstance(f, { actor: "victim", instances: 2, signal: "SIGKILL", endpoint: "slow", input: { ms: 50 }, clients: CLIENTS, deadlineMs: 5000 });
    f.record(
      {
        id: 5,
        fault: "kill -9 1 of 2 instances",
        load: `${CLIENTS} HTTP clients → victim.slow (50 ms), deadline 5 s`,
        inflightAtFault: run.inflightAtFault,
        ...run.counts,
        faultToBackMs: run.backAt - run.faultAt,
        bound: "all ok after revival",
        cost: "requests in flight on the killed instance fail at their deadline (504 DEADLINE_EXCEEDED; with bus.receipts, those it had acknowledged fail at once: row 9); NATS sends every later request to the other instance at once, and the hub revives the killed one.",
      },
      "kill -9",
    );
    expect(run.attempts.filter((a) => a.start > run.backAt && a.outcome !== Outcome.ok)).toEqual([]);
    // What fails is what the killed instance held: at most one request a client.
    expect(run.attempts.filter((a) => a.outcome !== Outcome.ok).length).toBeLessThanOrEqual(CLIENTS);
    expect(run.counts.failuresOutside).toBe(0);
  });

  it("answers a reply above the bus limit with 413 PAYLOAD_TOO_LARGE while the same instance serves every other request, with its pid unchanged", async () => {
    const before = await f.hub.actor("bulky");
    const statuses: (number | undefined)[] = [];
    const load = startLoad({ clients: CLIENTS, maxPerClient: 1500, maxMs: 40_000, send: (c, seq) => postOutcome(api("bulky/echo"), { text: `${c}-${seq}` }, request) });
    await waitFor("the load flowing", () => load.okSince(0) >= 40);
    const inflightAtFault = load.inflight();
    const dumps = startLoad({
      clients: 1,
      maxPerClient: 10,
      maxMs: 30_000,
      send: async () => {
        const res = await post(api("bulky/dump"), { size: 2 * MIB }, request);
        statuses.push(res.status);
        return res.outcome;
      },
    });
    const big: Attempt[] = await dumps.done;
    const endAt = Date.now();
    await waitFor("40 requests answered after the large replies", () => load.okSince(endAt) >= 40, 20_000);
    const counts = countLoad(await load.stop(), null);
    const bigCounts = countLoad(big, null);
    const after = await f.hub.actor("bulky");
    f.record(
      {
        id: 7,
        fault: "2 MiB reply ×10",
        load: `${CLIENTS} HTTP clients → bulky.echo, 1 → bulky.dump`,
        inflightAtFault,
        ...addCounts(counts, bigCounts),
        // The large replies are the fault, not failures outside it.
        failuresOutside: counts.failuresOutside,
        faultToBackMs: null,
        bound: "other requests all ok",
        cost: "the caller whose reply is above the bus limit gets 413 PAYLOAD_TOO_LARGE at once, naming size and limit; the same instance serves every other request and is not restarted.",
      },
      "413",
    );
    expect(bigCounts).toMatchObject({ sent: 10, failed: { PAYLOAD_TOO_LARGE: 10 } });
    expect(statuses).toEqual(Array(10).fill(413));
    expect(counts).toMatchObject({ failed: {}, noAnswer: 0 });
    expect(after.pids).toEqual(before.pids);
    expect(after.restarts).toBe(before.restarts);
  });
});
