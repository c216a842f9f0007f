import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNatsServer, type NatsServerHandle } from "../../runtime/hub/servers/nats-server.ts";
import { createHubDir, removeHubDir, runCli } from "../helpers/index.ts";

// bus.url names a server the hub does not manage; one without JetStream cannot hold the hub's
// event stream, KV or files. fuse up stops and says so, rather than a bare library error.
describe("a hub on an outside nats-server without JetStream", () => {
  let tmp: string;
  let nats: NatsServerHandle;
  let dir: string;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "fuse-bus-nojs-"));
    const configFile = path.join(tmp, "plain.conf");
    writeFileSync(configFile, "# a plain server: no jetstream block\n");
    nats = await startNatsServer({ dir: tmp, configFile });
  });
  afterAll(async () => {
    if (dir) removeHubDir(dir);
    await nats?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("stops fuse up naming the event stream and what a bus without JetStream needs", async () => {
    dir = createHubDir({ config: `bus:\n  url: ${nats.url}\ngateway:\n  enabled: false\n`, actors: { alpha: "worker" } });
    const up = await runCli(dir, ["up"], 60_000);
    const said = up.stdout + up.stderr;
    expect(up.code).toBe(1);
    expect(said).toContain("the event stream fuse-events cannot be reached: JetStream does not answer on this bus (is nats-server running with -js");
    // Its own message, not a stack trace of the bus library.
    expect(said).not.toMatch(/at NatsError|node_modules\/nats/);
  }, 60_000);
});
