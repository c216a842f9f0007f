import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HubState } from "../../runtime/protocol/index.ts";
import { createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

const stateOf = (dir: string) => JSON.parse(readFileSync(path.join(dir, ".fuse/state.json"), "utf8")) as HubState;

async function gatewayPid(hub: RunningHub): Promise<number> {
  return (await hub.actor("gateway")).pids[0]!;
}

async function revived(hub: RunningHub, oldPid: number): Promise<number> {
  return waitFor("the gateway revived", async () => {
    const g = await hub.actor("gateway");
    return g.status === "running" && g.pids[0] !== oldPid ? g.pids[0] : undefined;
  }, 30_000);
}

describe("the gateway's address", () => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    // A first backoff of 1 s leaves the test time to take the port before the revival.
    dir = createHubDir({ config: "restart:\n  initialDelayMs: 1000\n", actors: { worker: "worker" } });
    hub = await startHub(dir);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("stays the same when the gateway is killed and revived", async () => {
    const url = hub.state.gatewayUrl!;
    const pid = await gatewayPid(hub);
    process.kill(pid, "SIGKILL");
    await revived(hub, pid);
    expect(stateOf(dir).gatewayUrl).toBe(url);
    expect((await hub.call<{ gatewayUrl: string }>("hub.info")).gatewayUrl).toBe(url);
    await waitFor("the gateway answering at its old address", async () => ((await fetch(`${url}/health`).catch(() => undefined))?.status === 200 ? true : undefined), 15_000);
  });

  it("moves to another port only when its own was taken meanwhile, and the state file, hub.info and the log say so", async () => {
    const url = stateOf(dir).gatewayUrl!;
    const pid = await gatewayPid(hub);
    process.kill(pid, "SIGKILL");
    const squatter = net.createServer();
    await waitFor("the old port taken by another program", () =>
      new Promise<boolean | undefined>((resolve) => {
        squatter.once("error", () => resolve(undefined));
        squatter.listen(Number(new URL(url).port), "127.0.0.1", () => resolve(true));
      }),
    );
    try {
      await revived(hub, pid);
      const moved = await waitFor("the new address published", () => {
        const now = stateOf(dir).gatewayUrl;
        return now && now !== url ? now : undefined;
      }, 15_000);
      expect((await hub.call<{ gatewayUrl: string }>("hub.info")).gatewayUrl).toBe(moved);
      expect((await fetch(`${moved}/health`)).status).toBe(200);
      expect(readFileSync(path.join(dir, ".fuse/logs/hub.log"), "utf8")).toContain(`"msg":"gateway moved"`);
    } finally {
      squatter.close();
    }
  });
});
