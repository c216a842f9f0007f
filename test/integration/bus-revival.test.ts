import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HubState } from "../../runtime/protocol/index.ts";
import { createHubDir, isAlive, removeHubDir, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

// A long first backoff keeps the bus down long enough to look at the hub meanwhile; the
// fault suite measures how fast it comes back with the default one.
const CONFIG = `
restart:
  initialDelayMs: 6000
actors:
  worker:
    instances: 2
`;

const stateOf = (dir: string) => JSON.parse(readFileSync(path.join(dir, ".fuse/state.json"), "utf8")) as HubState;

describe("the hub's nats-server under supervision", () => {
  let dir: string;
  let hub: RunningHub;
  let gateway: string;

  beforeAll(async () => {
    dir = createHubDir({ config: CONFIG, actors: { worker: "worker" } });
    hub = await startHub(dir);
    gateway = hub.state.gatewayUrl!;
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  const echo = (text: string) =>
    fetch(`${gateway}/api/worker/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) });

  it("is revived on the same port after kill -9; /ready and fuse actors ls say the bus is down meanwhile; calls succeed after", async () => {
    expect((await echo("before")).status).toBe(200);
    const natsPid = hub.state.servicePids[0]!;
    process.kill(natsPid, "SIGKILL");

    const notReady = await waitFor("/ready to answer 503", async () => {
      const res = await fetch(`${gateway}/ready`);
      return res.status === 503 ? ((await res.json()) as { bus?: string; since?: number }) : undefined;
    }, 5000);
    expect(notReady.bus).toBe("down");
    // The gateway may see its connection drop a moment before the hub has written what it saw.
    const downSince = await waitFor("the state file to say the bus is down", () => stateOf(dir).busDownSince, 5000);
    expect(downSince).toBeGreaterThan(0);
    const ls = await runCli(dir, ["actors", "ls"]);
    expect(ls.code).toBe(1);
    expect(ls.stderr).toMatch(/the bus of the hub in .* is down since \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ s\); the hub \(pid \d+\) is restarting its nats-server/);

    const revived = await waitFor("nats-server revived", () => {
      const s = stateOf(dir);
      return s.servicePids[0] !== natsPid && s.busDownSince === undefined ? s : undefined;
    }, 30_000);
    expect(revived.natsUrl).toBe(hub.state.natsUrl);
    expect(isAlive(revived.servicePids[0]!)).toBe(true);
    await waitFor("a call through the gateway", async () => ((await echo("probe")).status === 200 ? true : undefined), 15_000);
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => echo(String(i)).then((r) => r.status)));
    expect({ sent: 20, ok: statuses.filter((s) => s === 200).length }).toEqual({ sent: 20, ok: 20 });
    expect((await fetch(`${gateway}/ready`)).status).toBe(200);
    const ls2 = await runCli(dir, ["actors", "ls", "--json"]);
    expect((JSON.parse(ls2.stdout) as { name: string; running: number }[]).find((a) => a.name === "worker")!.running).toBe(2);
    expect(readFileSync(path.join(dir, ".fuse/logs/hub.log"), "utf8")).toMatch(/"server":"nats-server".*"msg":"server exited, restart scheduled"/);
  });
});
