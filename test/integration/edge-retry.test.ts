import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

const ORIGIN = "https://shop.example";

// Point 8 of issue 15 on a real hub: two instances of an idempotent endpoint behind the
// gateway, one instance killed with SIGKILL under a steady stream of requests that each carry
// an Idempotency-Key. With receipts, the gateway learns which requests the dead instance held
// (OUTCOME_UNKNOWN); without them (the default), it learns of the death from the hub's
// `$FUSE.instance.lost` and sends every such request to that actor once more. Either way the
// survivor finishes the claimed run, returns its stored reply, or joins a run still going:
// each key runs at most once on a live instance.
describe.each([
  { receipts: true, name: "with receipts" },
  { receipts: false, name: "without receipts (the default)" },
])("retries at the edge after an instance dies, $name", ({ receipts }) => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    const config = `bus:\n  receipts: ${receipts}\ngateway:\n  cors:\n    origins: ["${ORIGIN}"]\nactors:\n  ledger:\n    instances: 2\n`;
    dir = createHubDir({ config, actors: { ledger: "guarded" } });
    hub = await startHub(dir);
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("loses no request with an idempotency key when one of two instances is killed with kill -9, and runs none twice", async () => {
    const url = `${hub.state.gatewayUrl}/api/ledger/charge`;
    const total = 400;
    const counts = { sent: 0, succeeded: 0, failed: 0 };
    const failures: string[] = [];
    const [victim] = (await hub.actor("ledger")).pids;
    let killed = false;
    const one = async (i: number) => {
      counts.sent++;
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": `edge-${i}` },
        body: JSON.stringify({ account: `edge-${i}`, amount: i, holdMs: 20 }),
      });
      const body = (await response.json()) as { amount?: number };
      if (response.status === 200 && body.amount === i) counts.succeeded++;
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
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < total) await one(next++);
    }));
    expect(killed).toBe(true);
    expect(failures).toEqual([]);
    expect(counts).toEqual({ sent: total, succeeded: total, failed: 0 });

    // Runs per key: at most one on a live instance; a second run only after the killed one
    // had started it (its claim taken over by the survivor).
    const runs = { once: 0, takenOver: 0, twiceLive: [] as string[] };
    let read = 0;
    const seen = new Set<number>();
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (read < total) {
        const i = read++;
        const response = await fetch(`${hub.state.gatewayUrl}/api/ledger/ran`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ account: `edge-${i}` }),
        });
        const { pids } = (await response.json()) as { pids: number[] };
        for (const pid of pids) seen.add(pid);
        const live = pids.filter((pid) => pid !== victim);
        if (live.length > 1 || pids.length === 0) runs.twiceLive.push(`edge-${i}: ${pids.join(",")}`);
        else if (pids.length === 1) runs.once++;
        else runs.takenOver++;
      }
    }));
    expect(runs.twiceLive).toEqual([]);
    expect(runs.once + runs.takenOver).toBe(total);
    console.info(`edge retry (receipts ${receipts}): ${JSON.stringify(counts)}, runs per key: ${runs.once} once, ${runs.takenOver} taken over from the killed instance; pids that ran: ${[...seen].join(", ")}, killed ${victim}`);
    // The killed instance was replaced, so the stream really lost one.
    await waitFor("the killed instance replaced", async () => {
      const ledger = await hub.actor("ledger");
      return ledger.running === 2 && !ledger.pids.includes(victim!) ? true : undefined;
    }, 30_000);
  }, 120_000);

  it("lets a listed origin's page send an Idempotency-Key (CORS preflight), and its repeat gets the first reply", async () => {
    const url = `${hub.state.gatewayUrl}/api/ledger/charge`;
    const preflight = await fetch(url, {
      method: "OPTIONS",
      headers: { origin: ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "content-type,idempotency-key" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    const allowed = (preflight.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    expect(allowed).toContain("idempotency-key");
    const post = () =>
      fetch(url, {
        method: "POST",
        headers: { origin: ORIGIN, "content-type": "application/json", "idempotency-key": "cors-1" },
        body: JSON.stringify({ account: "cors-1", amount: 7 }),
      });
    const first = await post();
    const again = await post();
    expect(first.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect([first.status, again.status]).toEqual([200, 200]);
    const [a, b] = [(await first.json()) as { runs: number }, (await again.json()) as { runs: number }];
    expect(a.runs).toBe(1);
    expect(b).toEqual(a);
  });
});
