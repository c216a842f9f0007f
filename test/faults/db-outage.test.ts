import { describe, expect, it } from "vitest";
import type { FuseError } from "../../runtime/errors/index.ts";
import { ErrorCode } from "../../runtime/protocol/index.ts";
import { waitFor } from "../helpers/index.ts";
import { faultActor, faultFile, stateOf, useFaultHub } from "./fault-hub.ts";
import { Outcome, faultUnderLoad, startLoad } from "./load.ts";
import { countLoad } from "./report.ts";

const WRITERS = 16;
/** Attempts of one insert (same key) before its writer gives up on it. */
const TRIES = 5;
const RECOVERY_BOUND_MS = 10_000;
// Safe to repeat under the same idempotency key: not applied, or applied and its reply lost.
const RETRIED = new Set<string>([ErrorCode.OUTCOME_UNKNOWN, ErrorCode.NO_LIVE_INSTANCE, ErrorCode.DEADLINE_EXCEEDED]);
// A writer that gave up after one of these cannot know whether its row is there.
const UNKNOWN = new Set<string>([ErrorCode.OUTCOME_UNKNOWN, ErrorCode.DEADLINE_EXCEEDED, Outcome.noAnswer]);

interface Tally {
  rows: number;
  keys: [string, number][];
}

describe("fault: sqld killed under 16 writers of idempotent inserts", () => {
  const f = useFaultHub("db-outage", { actors: { ledger: faultActor("ledger") }, files: { "schemas/ledger.json": faultFile("ledger.json") } });

  it("loses no acknowledged insert and stores no key twice or unasked through a kill -9 of sqld, writing again within 10 s", async () => {
    // Each writer inserts its keys in turn; a key is repeated after a failure that is safe to repeat.
    const writers = Array.from({ length: WRITERS }, (_, w) => ({ key: `${w}-0`, next: 1, tries: 0 }));
    const finals = new Map<string, string>();
    const add = async (w: number): Promise<string> => {
      const writer = writers[w]!;
      const key = writer.key;
      const outcome = await f.hub.call("ledger.add", { key, writer: w }, { timeoutMs: 20_000 }).then(
        () => Outcome.ok,
        (error: unknown) => (error as FuseError).code ?? Outcome.noAnswer,
      );
      finals.set(key, outcome);
      writer.tries++;
      if (outcome === Outcome.ok || !RETRIED.has(outcome) || writer.tries >= TRIES) Object.assign(writer, { key: `${w}-${writer.next++}`, tries: 0 });
      return outcome;
    };
    const load = startLoad({ clients: WRITERS, maxPerClient: 300, maxMs: 45_000, send: add, pauseMs: (o) => (o === Outcome.ok ? 10 : 100) });
    await waitFor("150 inserts acknowledged", () => load.okSince(0) >= 150, 30_000);
    const sqldPid = stateOf(f.dir)!.servicePids[1]!;
    const { faultAt, inflightAtFault } = await faultUnderLoad(load, () => process.kill(sqldPid, "SIGKILL"));
    const backAt = await waitFor("sqld revived", () => {
      const pid = stateOf(f.dir)?.servicePids[1];
      return pid !== undefined && pid !== sqldPid ? Date.now() : undefined;
    }, 30_000);
    await waitFor("150 inserts acknowledged after the revival", () => load.okSince(backAt) >= 150, 30_000);
    const counts = countLoad(await load.stop(), faultAt, backAt);

    const tally = await f.hub.call<Tally>("ledger.tally");
    const stored = new Map(tally.keys);
    const db = {
      acknowledgedLost: [...finals].filter(([key, o]) => o === Outcome.ok && !stored.has(key)).length,
      phantom: [...finals].filter(([key, o]) => o !== Outcome.ok && !UNKNOWN.has(o) && stored.has(key)).length,
      duplicates: [...stored.values()].filter((n) => n > 1).length,
    };
    f.record({
      id: 3,
      fault: "kill -9 sqld",
      load: `${WRITERS} writers → ledger.add (ctx.db insert with idempotency key), retry ≤ ${TRIES}×`,
      inflightAtFault,
      ...counts,
      db,
      faultToBackMs: backAt - faultAt,
      bound: "first ok ≤ 10 s",
      cost: "only latency: ctx.db settles each insert under an idempotency key that was in flight (resent if it never left, looked up if its reply was lost): every insert acknowledged, none lost, none twice.",
    });
    expect(inflightAtFault).toBeGreaterThan(0);
    expect(db).toEqual({ acknowledgedLost: 0, phantom: 0, duplicates: 0 });
    // Every row is one key a writer sent, once.
    expect([...stored.keys()].filter((key) => !finals.has(key))).toEqual([]);
    expect(tally.rows).toBe(stored.size);
    expect(counts.failuresOutside).toBe(0);
    expect(counts.faultToFirstOkMs).not.toBeNull();
    expect(counts.faultToFirstOkMs!).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
  });
});
