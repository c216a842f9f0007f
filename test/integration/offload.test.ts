import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spin } from "../fixtures/actors/crunch-work.ts";
import { createHubDir, removeHubDir, startHub, type RunningHub } from "../helpers/index.ts";

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

  it("leaves the offloaded function an ordinary, directly callable export", () => {
    expect(spin(5)).toMatchObject({ thread: 0 });
  });
});
