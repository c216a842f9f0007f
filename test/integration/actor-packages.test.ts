import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, createHubDir, removeHubDir, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

describe("actor packages", () => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    dir = createHubDir({ config: "# the hub's actors\nactors: {}\n", actors: { quoter: "quoter" } });
    cpSync(path.join(REPO, "test/fixtures/packages/tiny-quote"), path.join(dir, "vendor/tiny-quote"), { recursive: true });
    writeFileSync(path.join(dir, "actors/quoter/package.json"), JSON.stringify({ name: "quoter", private: true, type: "module", dependencies: { "tiny-quote": "file:../../vendor/tiny-quote" } }));
    hub = await startHub(dir);
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("installs an actor folder's missing dependencies when the hub starts, showing progress", async () => {
    await expect(hub.call("quoter.quote", { text: "hi" })).resolves.toEqual({ quoted: "“hi”" });
    expect(hub.output()).toMatch(/hub\s+│ .*INFO: installing dependencies .*"actor":"quoter"/);
    expect(hub.output()).toMatch(/dependencies installed/);
  });

  it("adds an actor package with fuse add: installed, registered in the config, started by the running hub", async () => {
    const result = await runCli(dir, ["add", path.join(REPO, "test/fixtures/packages/fuse-actor-weather")], 120_000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/added actor weather from fuse-actor-weather/);
    const config = readFileSync(path.join(dir, "config/fuse.yaml"), "utf8");
    expect(config).toContain("# the hub's actors");
    expect(config).toMatch(/weather:\n\s+module: node_modules\/fuse-actor-weather\/index.ts\n\s+instances: 1/);
    const reply = await waitFor("weather to answer", () => hub.call("weather.today", { city: "Oslo" }, { timeoutMs: 2000 }).catch(() => undefined), 60_000);
    expect(reply).toEqual({ city: "Oslo", sky: "clear" });
  }, 150_000);
});
