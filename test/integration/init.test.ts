import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, removeHubDir, runCli, startHub, type RunningHub } from "../helpers/index.ts";

// A new hub depends on this Fuse (file:), installs its own test runner, and runs as is.
describe("fuse init", () => {
  let parent: string;
  let dir: string;
  let hub: RunningHub | undefined;

  beforeAll(() => {
    parent = mkdtempSync(path.join(os.tmpdir(), "fuse-init-"));
    dir = path.join(parent, "my-hub");
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(parent);
  });

  it("scaffolds config, an actor with a test, a table schema, a task and a README", async () => {
    const result = await runCli(parent, ["init", "my-hub"]);
    expect(result.code).toBe(0);
    for (const file of ["package.json", "config/fuse.yaml", "actors/hello/index.ts", "actors/hello/hello.test.ts", "schemas/greetings.json", "tasks/greet-twice.json", "README.md"]) {
      expect(existsSync(path.join(dir, file)), file).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(pkg.dependencies["fuse-hub"]).toBe(`file:${REPO}`);
  });

  it("refuses a folder that is not empty", async () => {
    const again = await runCli(parent, ["init", "my-hub"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/my-hub is not empty/);
  });

  it("installs and passes its own tests right away", () => {
    const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: dir, encoding: "utf8", timeout: 180_000 });
    expect(install.status, install.stderr).toBe(0);
    expect(existsSync(path.join(dir, "node_modules/.bin/fuse"))).toBe(true);
    const test = spawnSync("npm", ["test"], { cwd: dir, encoding: "utf8", timeout: 120_000, env: { ...process.env, CI: "true" } });
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/2 passed/);
  }, 300_000);

  it("runs with fuse up, its actor answering", async () => {
    hub = await startHub(dir);
    await expect(hub.call("hello.greet", { name: "Ada" })).resolves.toEqual({ message: "Hello, Ada!", times: 1 });
    expect(await hub.actor("hello")).toMatchObject({ running: 2 });
  });
});
