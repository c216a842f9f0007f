import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BusIdentities } from "../../runtime/hub/servers/bus-identities.ts";
import { natsStoreDir, startNatsServer, type NatsServerHandle } from "../../runtime/hub/servers/nats-server.ts";
import { createHubDir, removeHubDir, runCli, startHub, type RunningHub } from "../helpers/index.ts";

// bus.url names a NATS server the hub does not manage; when it requires a credential,
// bus.creds gives the one the hub and every process it runs connect with.
describe("a hub on an outside nats-server that requires a credential", () => {
  let tmp: string;
  let nats: NatsServerHandle;
  let credsFile: string;
  const dirs: string[] = [];
  let hub: RunningHub;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "fuse-bus-creds-"));
    // The operator's server: one user, given to this hub.
    const identities = await BusIdentities.open({ dir: tmp, storeDir: natsStoreDir(tmp), prefix: "fuse" });
    credsFile = await identities.ensure({ name: "operator-given", role: "owner" });
    nats = await startNatsServer({ dir: tmp, configFile: identities.configFile });
  });
  afterAll(async () => {
    await hub?.stop();
    for (const dir of dirs) removeHubDir(dir);
    await nats?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("connects the hub, its actors and the CLI with bus.creds and serves calls", async () => {
    const dir = createHubDir({ config: `bus:\n  url: ${nats.url}\n  creds: bus.creds\ngateway:\n  enabled: false\n`, actors: { alpha: "worker" } });
    dirs.push(dir);
    copyFileSync(credsFile, path.join(dir, "bus.creds"));
    hub = await startHub(dir);
    expect(hub.state.natsCreds).toBe(path.join(dir, "bus.creds"));
    expect(await hub.call("alpha.echo", { text: "outside" })).toMatchObject({ text: "outside" });
    const [alpha] = (await hub.actor("alpha")).pids;
    expect(readFileSync(`/proc/${alpha}/environ`, "utf8").split("\0")).toContain(`FUSE_NATS_CREDS=${path.join(dir, "bus.creds")}`);
    const ls = await runCli(dir, ["actors", "ls", "--json"]);
    expect(ls.code).toBe(0);
  });

  it("stops fuse up, naming the refusal, when bus.creds is missing", async () => {
    const dir = createHubDir({ config: `bus:\n  url: ${nats.url}\ngateway:\n  enabled: false\n` });
    dirs.push(dir);
    const up = await runCli(dir, ["up"], 60_000);
    expect(up.code).not.toBe(0);
    expect(up.stdout + up.stderr).toContain(`the bus at ${nats.url} refused a connection without a credential`);
  }, 60_000);

  it("refuses bus.creds without bus.url: the hub's own server makes an identity per process", async () => {
    const dir = createHubDir({ config: "bus:\n  creds: bus.nk\n" });
    dirs.push(dir);
    const up = await runCli(dir, ["up"], 30_000);
    expect(up.code).not.toBe(0);
    expect(up.stdout + up.stderr).toContain("bus.creds is for an external server (bus.url)");
  });
});
