import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

// Point 8 of issue 15 on a real hub: two instances of an idempotent endpoint behind the
// gateway, receipts on, one instance killed with SIGKILL under a steady stream of requests
// that each carry an Idempotency-Key. The gateway sends a request whose instance died once
// more; the survivor finishes the claimed run (or returns its stored reply).
describe("retries at the edge after an instance dies", () => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    dir = createHubDir({ config: "bus:\n  receipts: true\nactors:\n  ledger:\n    instances: 2\n", actors: { ledger: "guarded" } });
    hub = await startHub(dir);
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("loses no request with an idempotency key when one of two instances is killed with kill -9", async () => {
    const url = `${hub.state.gatewayUrl}/api/ledger/charge`;
    const total = 400;
    const counts = { sent: 0, succeeded: 0, failed: 0 };
    const failures: string[] = [];
    const [victim] = (await hub.actor("ledger")).pids;
    let killed = false;
    let rerun = 0;
    const one = async (i: number) => {
      counts.sent++;
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": `edge-${i}` },
        body: JSON.stringify({ account: `edge-${i}`, amount: i, holdMs: 20 }),
      });
      const body = (await response.json()) as { amount?: number; runs?: number };
      // runs 2: the killed instance had started the run (its counter moved) and the survivor took the claim over.
      if (response.status === 200 && body.amount === i) {
        counts.succeeded++;
        if (body.runs !== 1) rerun++;
      }
      else {
        counts.failed++;
        failures.push(`${i}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
      }
      if (!killed && counts.succeeded >= 50) {
        killed = true;
        process.kill(victim!, "SIGKILL");
      }
    };
    let next = 0;
    const workers = Array.from({ length: 8 }, async () => {
      while (next < total) await one(next++);
    });
    await Promise.all(workers);
    expect(killed).toBe(true);
    expect(failures).toEqual([]);
    expect(counts).toEqual({ sent: total, succeeded: total, failed: 0 });
    console.info(`edge retry: ${JSON.stringify(counts)}, ${rerun} run again after the kill`);
    // The killed instance was replaced, so the stream really lost one.
    await waitFor("the killed instance replaced", async () => {
      const ledger = await hub.actor("ledger");
      return ledger.running === 2 && !ledger.pids.includes(victim!) ? true : undefined;
    }, 30_000);
  }, 120_000);
});
