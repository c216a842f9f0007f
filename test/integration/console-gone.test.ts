import { afterAll, describe, expect, it } from "vitest";
import { createHubDir, isAlive, removeHubDir, startHub, waitFor } from "../helpers/index.ts";

// `fuse up | head`, or a terminal that closes: the hub must not die on the broken pipe and
// leave its servers behind.
describe("fuse up whose console goes away", () => {
  const dir = createHubDir({ actors: { alpha: "worker" } });
  afterAll(() => removeHubDir(dir));

  it("stops the hub with every process it started", async () => {
    const hub = await startHub(dir);
    try {
      const pids = await hub.pids();
      hub.expectExit();
      hub.process.stdout!.destroy();
      hub.process.stderr!.destroy();
      // A restart makes the hub print lines, which now go to a closed pipe.
      await hub.call("hub.restart", { name: "alpha" }).catch(() => undefined);
      await waitFor("the hub to exit", () => hub.process.exitCode !== null || undefined, 30_000);
      expect(hub.process.exitCode).toBe(0);
      await waitFor("every process of the hub to exit", () => !pids.some(isAlive) || undefined, 15_000).catch(() => undefined);
      expect(pids.filter(isAlive)).toEqual([]);
    } finally {
      // Whatever happened, nothing the hub started outlives the test.
      await hub.stop().catch(() => undefined);
    }
  }, 90_000);
});
