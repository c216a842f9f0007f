import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

describe("fuse up --watch", () => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    dir = createHubDir({ config: "actors:\n  alpha:\n    instances: 2\n", actors: { alpha: "worker", beta: "worker" } });
    hub = await startHub(dir, ["--watch"]);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("restarts only the actor whose source changed, rolling, onto the new code", async () => {
    const alphaBefore = (await hub.actor("alpha")).pids;
    const betaBefore = (await hub.actor("beta")).pids;
    const file = path.join(dir, "actors/alpha/index.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace("handler: ({ text }) => ({ text, pid: process.pid })", 'handler: ({ text }) => ({ text: `${text}!`, pid: process.pid })'));
    await waitFor("alpha serving the new code on every instance", async () => {
      const alpha = await hub.actor("alpha");
      return alpha.running === 2 && alpha.pids.every((p) => !alphaBefore.includes(p));
    }, 30_000);
    await expect(hub.call("alpha.echo", { text: "hi" })).resolves.toMatchObject({ text: "hi!" });
    expect((await hub.actor("beta")).pids).toEqual(betaBefore);
  });
});
