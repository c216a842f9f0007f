import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

// One instance, so a rolling restart swaps the only process that serves the endpoint.
const CONFIG = `
actors:
  steady:
    instances: 1
`;

/** An HTTP answer, or none at all (status 0: the connection failed). */
type Outcome = { status: number; code?: string; pid?: number };

/** Counts of a stream of HTTP calls: sent, succeeded, failed by status and code, and lost (no answer). */
class Tally {
  sent = 0;
  succeeded = 0;
  lost = 0;
  readonly failed = new Map<string, number>();
  readonly pids = new Set<number>();

  record(outcome: Outcome): void {
    if (outcome.status === 0) {
      this.lost++;
    } else if (outcome.status === 200) {
      this.succeeded++;
      this.pids.add(outcome.pid!);
    } else {
      const key = `${outcome.status} ${outcome.code}`;
      this.failed.set(key, (this.failed.get(key) ?? 0) + 1);
    }
  }

  /** Every call sent and answered is counted once; what is missing got lost. */
  get unaccounted(): number {
    return this.sent - this.succeeded - this.lost - [...this.failed.values()].reduce((a, b) => a + b, 0);
  }
}

describe("gateway during a rolling restart", () => {
  let dir: string;
  let hub: RunningHub;
  let url: string;

  beforeAll(async () => {
    dir = createHubDir({ config: CONFIG, actors: { steady: "worker" } });
    hub = await startHub(dir);
    url = hub.state.gatewayUrl!;
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  const call = async (): Promise<Outcome> => {
    const res = await fetch(`${url}/api/steady/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"text":"x"}' }).catch(() => undefined);
    if (!res) return { status: 0 };
    const body = (await res.json()) as { pid?: number; error?: { code: string } };
    return { status: res.status, code: body.error?.code, pid: body.pid };
  };

  it("answers every request of a steady stream, never ENDPOINT_NOT_FOUND", async () => {
    await waitFor("the gateway to reach steady", async () => (await call()).status === 200);
    const before = (await hub.actor("steady")).pids;
    const tally = new Tally();
    let stop = false;
    const stream = async () => {
      while (!stop) {
        tally.sent++;
        tally.record(await call());
      }
    };
    const streams = [stream(), stream(), stream(), stream()];
    await waitFor("requests flowing", () => tally.succeeded > 20);
    const restarted = await hub.call<{ pids: number[] }>("hub.restart", { name: "steady" }, { timeoutMs: 60_000 });
    await waitFor("the new instance answering", () => tally.pids.has(restarted.pids[0]!));
    const atSwap = tally.succeeded;
    await waitFor("requests flowing after the restart", () => tally.succeeded > atSwap + 20);
    stop = true;
    await Promise.all(streams);
    // Both processes served part of the stream: the swap happened while requests flowed.
    expect([...tally.pids].sort()).toEqual([...before, ...restarted.pids].sort());
    expect({ lost: tally.lost, unaccounted: tally.unaccounted, failed: Object.fromEntries(tally.failed) }).toEqual({ lost: 0, unaccounted: 0, failed: {} });
    expect(tally.succeeded).toBeGreaterThan(40);
  });
});
