import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, runCli } from "../helpers/index.ts";

const dirs: string[] = [];
async function up(config: string, actors: Record<string, string> = { alpha: "worker" }) {
  const dir = createHubDir({ config, actors });
  dirs.push(dir);
  const result = await runCli(dir, ["up"]);
  return { ...result, dir };
}

describe("fuse up with a bad config", () => {
  afterAll(() => dirs.forEach(removeHubDir));

  it("rejects broken YAML naming the file and line, and exits non-zero", async () => {
    const result = await up("actors:\n  alpha:\n    instances: [1,\n");
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatchInlineSnapshot(`"error: config/fuse.yaml:4: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]"`);
    expect(existsSync(path.join(result.dir, ".fuse/state.json"))).toBe(false);
  });

  it("rejects an unknown key naming file, line and key, with a suggestion", async () => {
    const result = await up("actors:\n  alpha:\n    instanses: 2\n");
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatchInlineSnapshot(`"error: config/fuse.yaml:3 actors.alpha.instanses: unknown key, did you mean "instances"?"`);
  });

  it("rejects a bad value naming file, line, key and what was expected", async () => {
    const result = await up("logging:\n  level: info\nactors:\n  alpha:\n    instances: two\n");
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatchInlineSnapshot(`"error: config/fuse.yaml:5 actors.alpha.instances: expected number, got "two""`);
  });

  it("rejects an actor whose module does not exist", async () => {
    const result = await up("actors:\n  ghost:\n    module: actors/ghost/main.ts\n");
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatchInlineSnapshot(`"error: config/fuse.yaml actors.ghost.module: module actors/ghost/main.ts does not exist"`);
  });

  it("rejects an out-of-range port", async () => {
    const result = await up("bus:\n  port: 99999\n");
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatchInlineSnapshot(`"error: config/fuse.yaml:2 bus.port: Too big: expected number to be <=65535, got 99999"`);
  });

  it("exits non-zero and leaves no process running when nats-server cannot start", async () => {
    const blocker = net.createServer().listen(0, "127.0.0.1");
    await once(blocker, "listening");
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const result = await up(`bus:\n  port: ${port}\n`);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/nats-server exited \(1\) before listening/);
      // Nothing started from this hub folder is still running.
      expect(spawnSync("pgrep", ["-f", result.dir]).stdout.toString()).toBe("");
    } finally {
      blocker.close();
    }
  });
});
