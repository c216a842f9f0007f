// A database that stays unreachable: the first statement waits out UNREACHABLE_RETRY_MS (a sqld
// revived by its hub is back well within it), the next ones of the same database fail at once,
// and one answer lets statements wait again. Driven with fake timers on a client that refuses.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Reachability, UNREACHABLE_RETRY_MS, libsqlExecutor, type LibsqlLike } from "../../../runtime/table/connection/executor.ts";
import { ErrorCode } from "../../../runtime/protocol/index.ts";

const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8081"), { code: "ECONNREFUSED" });

function client(state: { up: boolean; attempts: number }): LibsqlLike {
  return {
    execute: async () => {
      state.attempts++;
      if (!state.up) throw refused();
      return { rows: [], columns: [], rowsAffected: 1 };
    },
    batch: async () => [],
  };
}

describe("a database's reachability, shared by its statements", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("waits out the first loss, then fails the next statements at once until one is answered", async () => {
    const state = { up: false, attempts: 0 };
    const reachability = new Reachability();
    const db = libsqlExecutor(client(state), { reachability });
    const insert = { sql: "INSERT INTO t VALUES (1)", args: [] };

    const first = db.execute(insert).catch((error: { code: string }) => error);
    await vi.advanceTimersByTimeAsync(UNREACHABLE_RETRY_MS + 1_000);
    expect(await first).toMatchObject({ code: ErrorCode.NO_LIVE_INSTANCE });
    const waited = state.attempts;
    expect(waited).toBeGreaterThan(5);
    expect(reachability.unreachableSince).toBeDefined();

    // Down: one attempt each, no wait.
    for (let i = 0; i < 3; i++) await expect(db.execute(insert)).rejects.toMatchObject({ code: ErrorCode.NO_LIVE_INSTANCE });
    expect(state.attempts).toBe(waited + 3);

    // Back: the first answer clears it, and a later loss is waited out again.
    state.up = true;
    await expect(db.execute(insert)).resolves.toMatchObject({ rowsAffected: 1 });
    expect(reachability.unreachableSince).toBeUndefined();
    state.up = false;
    const again = db.execute(insert).catch((error: { code: string }) => error);
    await vi.advanceTimersByTimeAsync(2_000);
    state.up = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await again).toMatchObject({ rowsAffected: 1 });
  });

  it("keeps the wait for every statement of a database that has none (one executor alone)", async () => {
    const state = { up: false, attempts: 0 };
    const db = libsqlExecutor(client(state));
    const one = db.execute({ sql: "SELECT 1", args: [] }).catch((error: { code: string }) => error);
    await vi.advanceTimersByTimeAsync(UNREACHABLE_RETRY_MS + 1_000);
    expect(await one).toMatchObject({ code: ErrorCode.NO_LIVE_INSTANCE });
    const attempts = state.attempts;
    const two = db.execute({ sql: "SELECT 1", args: [] }).catch((error: { code: string }) => error);
    await vi.advanceTimersByTimeAsync(UNREACHABLE_RETRY_MS + 1_000);
    expect(await two).toMatchObject({ code: ErrorCode.NO_LIVE_INSTANCE });
    expect(state.attempts - attempts).toBeGreaterThan(5);
  });
});
