import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../runtime/protocol/index.ts";
import { isAlive } from "../helpers/index.ts";
import { useFaultHub } from "./fault-hub.ts";
import { faultOneInstance } from "./instance-fault.ts";
import { Outcome } from "./load.ts";

// Rows 4 and 5 again with receipts on: the instance that takes a request says so, and the hub
// announces its death, so callers fail at once what it had acknowledged. A request it had not
// acknowledged (in transit to it, unread in its socket, or taken by a stopped process) still
// waits for its deadline: counted, not asserted away.
const CONFIG = `
bus:
  receipts: true
actors:
  pair:
    instances: 2
  victim:
    instances: 2
`;
const CLIENTS = 4;
const DEADLINE_MS = 5000;
// How a held request may end today: failed when its holder's death is announced, or at its deadline.
const HELD = new Set<string>([ErrorCode.OUTCOME_UNKNOWN, ErrorCode.DEADLINE_EXCEEDED]);

describe("fault: one actor instance fails under HTTP load, with bus.receipts on", () => {
  const f = useFaultHub("instance-receipts", { config: CONFIG, actors: { pair: "worker", victim: "worker" } });

  it("replaces a SIGSTOPped instance; what it held fails with OUTCOME_UNKNOWN or at its deadline, and every request sent after the replacement succeeds", async () => {
    const run = await faultOneInstance(f, { actor: "pair", instances: 2, signal: "SIGSTOP", endpoint: "echo", input: { text: "x" }, clients: CLIENTS, deadlineMs: DEADLINE_MS });
    f.record(
      {
        id: 8,
        fault: "SIGSTOP 1 of 2 instances, bus.receipts",
        load: `${CLIENTS} HTTP clients → pair.echo, deadline 5 s`,
        inflightAtFault: run.inflightAtFault,
        ...run.counts,
        faultToBackMs: run.backAt - run.faultAt,
        bound: "all ok after replacement",
        cost: "a stopped process acknowledges nothing; when the hub kills it (3 s of silence) and announces it, what no instance took fails 250 ms later with 500 OUTCOME_UNKNOWN (it may have been lost with it) instead of waiting for its deadline as in row 4.",
      },
      "SIGSTOPped",
    );
    expect(isAlive(run.hit)).toBe(false);
    expect(run.attempts.filter((a) => a.start > run.backAt && a.outcome !== Outcome.ok)).toEqual([]);
    expect(run.counts.failuresOutside).toBe(0);
    expect(Object.keys(run.counts.failed).filter((code) => !HELD.has(code))).toEqual([]);
    expect(run.counts.noAnswer).toBe(0);
  });

  it("revives an instance killed with kill -9; what it held fails with OUTCOME_UNKNOWN or at its deadline, and every request sent after the revival succeeds", async () => {
    const run = await faultOneInstance(f, { actor: "victim", instances: 2, signal: "SIGKILL", endpoint: "slow", input: { ms: 50 }, clients: CLIENTS, deadlineMs: DEADLINE_MS });
    f.record(
      {
        id: 9,
        fault: "kill -9 1 of 2 instances, bus.receipts",
        load: `${CLIENTS} HTTP clients → victim.slow (50 ms), deadline 5 s`,
        inflightAtFault: run.inflightAtFault,
        ...run.counts,
        faultToBackMs: run.backAt - run.faultAt,
        bound: "all ok after revival",
        cost: "a request the killed instance had acknowledged fails at once with 500 OUTCOME_UNKNOWN (it may have run); one still in transit to it fails the same way 250 ms after the hub announces the death; later requests go to the other instance.",
      },
      "revives an instance killed",
    );
    expect(run.attempts.filter((a) => a.start > run.backAt && a.outcome !== Outcome.ok)).toEqual([]);
    expect(run.counts.failuresOutside).toBe(0);
    expect(Object.keys(run.counts.failed).filter((code) => !HELD.has(code))).toEqual([]);
    // What fails is what the killed instance held: at most one request a client.
    expect(run.attempts.filter((a) => a.outcome !== Outcome.ok).length).toBeLessThanOrEqual(CLIENTS);
    expect(run.counts.noAnswer).toBe(0);
  });
});
