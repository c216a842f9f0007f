import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, isAlive, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

describe("database under concurrent writers", () => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    dir = createHubDir({
      config: "restart:\n  initialDelayMs: 100\n",
      actors: { "writer-a": "writer", "writer-b": "writer", "writer-c": "writer", "writer-d": "writer" },
      files: { "schemas/entries.json": "schemas/entries.json" },
    });
    hub = await startHub(dir);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("takes 1,000 inserts from each of 4 actor processes at once: exactly 4,000 rows, no error reaching a caller", async () => {
    const writers = ["writer-a", "writer-b", "writer-c", "writer-d"];
    const results = await Promise.all(writers.map((w) => hub.call<{ inserted: number; pid: number }>(`${w}.fill`, { n: 1000 }, { timeoutMs: 240_000 })));
    expect(results.map((r) => r.inserted)).toEqual([1000, 1000, 1000, 1000]);
    expect(new Set(results.map((r) => r.pid)).size).toBe(4);
    const counted = await hub.call<{ rows: unknown[]; total: number }>("db.select", { table: "entries", limit: 1 });
    expect(counted.total).toBe(4000);
  }, 300_000);

  it("revives sqld killed with SIGKILL during writes; every acknowledged write is still there", async () => {
    const sqldPid = hub.state.servicePids[1]!;
    const writing = hub.call<{ acknowledged: number[]; retries: number }>("writer-a.steady", { n: 300, tag: "steady" }, { timeoutMs: 240_000 });
    await waitFor("some steady rows written", async () => (await hub.call<{ total: number }>("db.select", { table: "entries", where: { writer: "steady" }, limit: 1 })).total > 50);
    process.kill(sqldPid, "SIGKILL");
    const { acknowledged, retries } = await writing;
    // Writes failed while sqld was down (so the kill did land mid-stream) and went on after.
    expect(retries).toBeGreaterThan(0);
    expect(acknowledged).toHaveLength(300);
    const { rows, total } = await hub.call<{ rows: { seq: number }[]; total: number }>("db.select", { table: "entries", where: { writer: "steady" }, orderBy: "seq", limit: 1000 });
    expect(total).toBe(300);
    expect(rows.map((r) => r.seq)).toEqual(acknowledged);
    // The state file names the revived sqld, so a later `fuse up` can clean up after a killed hub.
    const state = JSON.parse(readFileSync(path.join(dir, ".fuse/state.json"), "utf8")) as { servicePids: number[] };
    expect(state.servicePids[1]).not.toBe(sqldPid);
    expect(isAlive(state.servicePids[1]!)).toBe(true);
    // The writers of the first test kept their rows through the crash too.
    expect((await hub.call<{ total: number }>("db.select", { table: "entries", limit: 1 })).total).toBe(4300);
  }, 300_000);
});
