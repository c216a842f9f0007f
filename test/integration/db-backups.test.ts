import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

describe("periodic backups", () => {
  let dir: string;
  let hub: RunningHub;
  const backups = () => {
    try {
      return readdirSync(path.join(dir, ".fuse/backups")).filter((f) => f.endsWith(".db"));
    } catch {
      return [];
    }
  };

  beforeAll(async () => {
    // Every 0.6 s, keeping 2.
    dir = createHubDir({ config: "db:\n  backup:\n    everyMinutes: 0.01\n    keep: 2\n", actors: { writer: "writer" }, files: { "schemas/entries.json": "schemas/entries.json" } });
    hub = await startHub(dir);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("writes backups on the configured schedule and keeps the newest N", async () => {
    await hub.call("writer.fill", { n: 5 });
    const seen = new Set<string>();
    await waitFor("four backups written", () => {
      backups().forEach((f) => seen.add(f));
      return seen.size >= 4;
    }, 30_000);
    // A new file may exist for a moment before the oldest is pruned.
    await waitFor("at most two kept", () => backups().length <= 2);
    expect(backups().length).toBeGreaterThan(0);
    const { files } = await hub.call<{ files: string[] }>("db.backups");
    expect(files.length).toBeGreaterThan(0);
  });
});
