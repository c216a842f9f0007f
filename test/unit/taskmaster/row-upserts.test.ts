import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../runtime/log/index.ts";
import { mergeRows, rowShape, rowStatement } from "../../../runtime/taskmaster/store/row-upserts.ts";
import { RunStore } from "../../../runtime/taskmaster/store/run-store.ts";
import { RunWriter } from "../../../runtime/taskmaster/store/run-writer.ts";

// Rows of one shape written as one multi-row statement (the RunWriter's batches), on a real
// libSQL file: the same rows as one statement each, the later of two with one key winning.
const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-row-upserts-"));
let store: RunStore;

beforeAll(async () => {
  store = await RunStore.open(`file:${path.join(dir, "runs.db")}`);
  await store.executor.execute({ sql: "CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)", args: [] });
  await store.executor.execute({ sql: "CREATE TABLE other (k TEXT PRIMARY KEY)", args: [] });
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const KV = rowShape("INSERT INTO kv (k, v) VALUES", 2, "ON CONFLICT (k) DO UPDATE SET v = excluded.v");
const kv = (k: string, v: number | null) => rowStatement(KV, [k, v]);
const other = (k: string) => ({ sql: "INSERT INTO other (k) VALUES (?)", args: [k] });
const read = async (sql: string) => (await store.executor.execute({ sql, args: [] })).rows.map((r) => Object.values(r));

describe("mergeRows", () => {
  it("makes the rows of one shape one statement where the first stood, keeps the others in place, and the later row of a key wins", async () => {
    await store.executor.execute({ sql: "DELETE FROM kv", args: [] });
    const merged = mergeRows([other("x"), kv("a", 1), other("y"), kv("b", 2), kv("a", 3)]);
    expect(merged.map((s) => s.sql.split(" ").slice(0, 3).join(" "))).toEqual(["INSERT INTO other", "INSERT INTO kv", "INSERT INTO other"]);
    expect(merged[1]!.args).toEqual(["a", 1, "b", 2, "a", 3]);
    await store.write(merged);
    expect(await read("SELECT k, v FROM kv ORDER BY k")).toEqual([["a", 3], ["b", 2]]);
  });

  it("leaves a single row as it was, and splits many rows into statements of at most 500", async () => {
    await store.executor.execute({ sql: "DELETE FROM kv", args: [] });
    const one = kv("only", 1);
    expect(mergeRows([one])).toEqual([one]);
    const many = mergeRows(Array.from({ length: 1_001 }, (_, i) => kv(`k${i}`, i)));
    expect(many.map((s) => s.args.length / 2)).toEqual([500, 500, 1]);
    await store.write(many);
    expect(await read("SELECT count(*), sum(v) FROM kv")).toEqual([[1_001, (1_000 * 1_001) / 2]]);
  });

  it("writes each record alone when a merged statement is refused, so one bad row does not lose the others", async () => {
    await store.executor.execute({ sql: "DELETE FROM kv", args: [] });
    const writer = new RunWriter(store, createLogger({ actor: "test", level: "silent" }));
    writer.queue("good-1", kv("g1", 1));
    const bad = writer.put("bad", kv("bad", null));
    writer.queue("good-2", kv("g2", 2));
    await writer.flush();
    await expect(bad).rejects.toThrow(/NOT NULL/);
    expect(await read("SELECT k, v FROM kv ORDER BY k")).toEqual([["g1", 1], ["g2", 2]]);
  });
});
