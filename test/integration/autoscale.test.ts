import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

const CONFIG = `
actors:
  worker:
    autoscale:
      min: 1
      max: 3
      targetInflight: 2
      intervalMs: 200
      upCooldownMs: 300
      downCooldownMs: 1500
`;

describe("autoscaling", () => {
  let dir: string;
  let hub: RunningHub;
  const desired = async () => {
    const result = await runCli(dir, ["actors", "ls", "--json"]);
    return (JSON.parse(result.stdout) as { name: string; desired: number; running: number }[]).find((a) => a.name === "worker")!;
  };

  beforeAll(async () => {
    dir = createHubDir({ config: CONFIG, actors: { worker: "worker" } });
    hub = await startHub(dir);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("adds instances under load and removes them when idle, as fuse actors ls shows", async () => {
    expect(await desired()).toMatchObject({ desired: 1, running: 1 });
    let loading = true;
    const loops = Array.from({ length: 8 }, async () => {
      while (loading) await hub.call("worker.slow", { ms: 200 }).catch(() => undefined);
    });
    try {
      await waitFor("scaled up to 3", async () => {
        const w = await desired();
        return w.desired === 3 && w.running === 3;
      }, 30_000);
    } finally {
      loading = false;
      await Promise.all(loops);
    }
    await waitFor("scaled back down to 1", async () => {
      const w = await desired();
      return w.desired === 1 && w.running === 1;
    }, 30_000);
  });
});
