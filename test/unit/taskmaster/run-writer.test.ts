import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../runtime/log/index.ts";
import { RunStore } from "../../../runtime/taskmaster/store/run-store.ts";
import type { Statement } from "../../../runtime/sdk/internal.ts";
import { RunWriter } from "../../../runtime/taskmaster/store/run-writer.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-run-writer-"));
let store: RunStore;
const log = createLogger({ actor: "test", level: "silent" });

beforeAll(async () => {
  store = await RunStore.open(`file:${path.join(dir, "runs.db")}`);
  await store.executor.execute({ sql: "CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)", args: [] });
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const upsert = (k: string, v: number | null) => ({ sql: "INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", args: [k, v] });
const rows = async () => (await store.executor.execute({ sql: "SELECT k, v FROM t ORDER BY k", args: [] })).rows.map((r) => [r.k, r.v]);

describe("RunWriter", () => {
  it("writes the latest record of each key once", async () => {
    const writer = new RunWriter(store, log);
    for (let v = 1; v <= 5; v++) void writer.put("a", upsert("a", v));
    void writer.put("b", upsert("b", 1));
    await writer.flush();
    expect(await rows()).toEqual([["a", 5], ["b", 1]]);
  });

  it("writes a queued record nobody awaits, and keeps the waiters of an awaited one it replaces", async () => {
    const writer = new RunWriter(store, log);
    writer.queue("q", upsert("q", 1));
    const awaited = writer.put("r", upsert("r", 1));
    writer.queue("r", upsert("r", 2));
    await awaited;
    await writer.flush();
    expect(await rows()).toEqual(expect.arrayContaining([["q", 1], ["r", 2]]));
  });

  it("keeps the good records of a batch when one is refused, and tells whoever awaits the bad one", async () => {
    const writer = new RunWriter(store, log);
    const good = writer.put("c", upsert("c", 1));
    const bad = writer.put("d", upsert("d", null), { immediate: true });
    await expect(bad).rejects.toThrow(/NOT NULL/);
    await good;
    expect(await rows()).toContainEqual(["c", 1]);
  });

  it("leaves a deferred record out of immediate writes until it has waited an interval; replaced before then, only the newer one is written", async () => {
    // A store that records what each batch carried.
    const batches: string[][] = [];
    const recording = { write: async (statements: Statement[]) => void batches.push(statements.map((st) => `${st.args[0]}=${st.args[1]}`)) } as unknown as RunStore;
    const writer = new RunWriter(recording, log, { intervalMs: 200 });
    void writer.put("step", upsert("step", 1), { deferred: true });
    await writer.put("end-1", upsert("end-1", 1), { immediate: true });
    expect(batches).toEqual([["end-1=1"]]);
    // The step's next record replaces the deferred one, and goes with the next write.
    void writer.put("step", upsert("step", 2));
    await writer.put("end-2", upsert("end-2", 1), { immediate: true });
    expect(batches).toEqual([["end-1=1"], ["step=2", "end-2=1"]]);
    // Left alone, a deferred record is written once its interval has passed.
    const alone = writer.put("slow", upsert("slow", 1), { deferred: true });
    await writer.put("end-3", upsert("end-3", 1), { immediate: true });
    expect(batches.at(-1)).toEqual(["end-3=1"]);
    await alone;
    expect(batches.at(-1)).toEqual(["slow=1"]);
    // flush writes deferred records at once.
    void writer.put("last", upsert("last", 1), { deferred: true });
    await writer.flush();
    expect(batches.at(-1)).toEqual(["last=1"]);
  });
});
