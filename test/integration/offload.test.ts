import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spinUntil } from "../fixtures/actors/crunch-work.ts";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

describe("ctx.offload", () => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    dir = createHubDir({
      actors: { cruncher: "cruncher" },
      files: { "actors/cruncher/crunch-work.ts": "actors/crunch-work.ts" },
    });
    hub = await startHub(dir);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("runs CPU-bound work on a worker thread while the actor keeps answering", async () => {
    // The work spins until the test writes `release`, so it is running through every ping.
    const [started, release] = [path.join(dir, "spin-started"), path.join(dir, "spin-release")];
    const offloaded = hub.call<{ loops: number; thread: number }>("cruncher.offload", { release, started });
    await waitFor("the offloaded work to start", () => existsSync(started));
    for (let i = 0; i < 5; i++) await expect(hub.call("cruncher.ping", {}, { timeoutMs: 10_000 })).resolves.toEqual({ at: expect.any(Number) });
    writeFileSync(release, "");
    const result = await offloaded;
    expect(result.thread).toBeGreaterThan(0);
    expect((await hub.actor("cruncher")).restarts).toBe(0);
  });

  it("runs fire-and-forget work without the caller waiting for it", async () => {
    const file = path.join(dir, "touched.txt");
    await expect(hub.call("cruncher.fire", { file, text: "done" })).resolves.toEqual({ started: true });
    await waitFor("the detached work to run", () => existsSync(file) && readFileSync(file, "utf8") === "done");
  });

  it("leaves the offloaded function an ordinary, directly callable export", () => {
    // Released from the start: the folder exists.
    expect(spinUntil(dir)).toMatchObject({ thread: 0 });
  });
});
