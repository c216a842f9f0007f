import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spin } from "../fixtures/actors/crunch-work.ts";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

describe("ctx.offload", () => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    dir = createHubDir({
      config: "health:\n  busyLagMs: 300\n",
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
    let offloadDone = false;
    const offloaded = hub.call<{ loops: number; thread: number }>("cruncher.offload", { ms: 1500 }).then((r) => {
      offloadDone = true;
      return r;
    });
    const answeredDuringWork: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      await hub.call("cruncher.ping");
      answeredDuringWork.push(!offloadDone);
    }
    const result = await offloaded;
    expect(answeredDuringWork).toEqual([true, true, true, true, true]);
    expect(result.thread).toBeGreaterThan(0);
    expect(result.loops).toBeGreaterThan(0);
    const cruncher = await hub.actor("cruncher");
    expect(cruncher.restarts).toBe(0);
    expect(cruncher.instances[0]!.lagMs).toBeLessThan(300);
  });

  it("runs fire-and-forget work without the caller waiting for it", async () => {
    const file = path.join(dir, "touched.txt");
    await expect(hub.call("cruncher.fire", { file, text: "done" })).resolves.toEqual({ started: true });
    await waitFor("the detached work to run", () => existsSync(file) && readFileSync(file, "utf8") === "done");
  });

  it("leaves the offloaded function an ordinary, directly callable export", () => {
    expect(spin(5)).toMatchObject({ thread: 0 });
  });
});
