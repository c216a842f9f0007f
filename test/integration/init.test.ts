import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRACES_PATH, type RecentTracesReply } from "../../runtime/protocol/index.ts";
import { REPO, removeHubDir, runCli, startHub, type RunningHub } from "../helpers/index.ts";

const VERSION = (JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string }).version;
const TARBALL = `vendor/fuse-hub-${VERSION}.tgz`;

/**
 * Runs a command to its end without blocking the event loop (a spawnSync of tens of seconds
 * starves vitest's own messages); its pid is killed if it overruns.
 */
function run(command: string, args: string[], options: { cwd: string; timeoutMs?: number }): Promise<{ status: number | null; output: string; ms: number }> {
  const started = Date.now();
  // Its own process group, so an overrun kills what it started too (npm runs tsc, vitest, …).
  const child = spawn(command, args, { cwd: options.cwd, detached: true, env: { ...process.env, NO_COLOR: "1", CI: "true" } });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }, options.timeoutMs ?? 120_000);
  return new Promise((resolve) =>
    child.on("close", (status) => {
      clearTimeout(timer);
      // FUSE_TEST_TIMINGS=1 prints how long each step takes (npm install and tsc are most of it).
      if (process.env.FUSE_TEST_TIMINGS) process.stderr.write(`${command} ${args.join(" ")}: ${Date.now() - started} ms\n`);
      resolve({ status, output, ms: Date.now() - started });
    }),
  );
}

/** Every file under `dir` (node_modules and .git left out), relative to it. */
function filesOf(dir: string, rel = ""): string[] {
  return readdirSync(path.join(dir, rel)).flatMap((entry) => {
    if (entry === "node_modules" || entry === ".git") return [];
    const file = path.join(rel, entry);
    return statSync(path.join(dir, file)).isDirectory() ? filesOf(dir, file) : [file];
  });
}

/**
 * `fuse init` makes a hub that is committed, cloned into another folder and installed there
 * from its own files (Fuse packed under vendor/), then tested, checked and run: what a colleague
 * does with a hub they were sent. One npm install in the whole suite (about 20 s).
 */
describe("fuse init", () => {
  let parent: string;
  let dir: string;
  let clone: string;
  let hub: RunningHub | undefined;

  beforeAll(() => {
    parent = mkdtempSync(path.join(os.tmpdir(), "fuse-init-"));
    dir = path.join(parent, "my-hub");
    clone = path.join(mkdtempSync(path.join(os.tmpdir(), "fuse-init-clone-")), "my-hub");
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(parent);
    removeHubDir(path.dirname(clone));
  });

  it("scaffolds a hub with Fuse packed under vendor/ and no path into this checkout", async () => {
    const result = await runCli(parent, ["init", "my-hub"]);
    expect(result.code, result.stderr).toBe(0);
    const files = filesOf(dir).sort();
    expect(files).toEqual(
      [".gitignore", ".npmrc", "README.md", "actors/hello/hello.test.ts", "actors/hello/index.ts", "config/fuse.yaml", "package.json", "schemas/greetings.json", "tasks/greet-twice.json", "tsconfig.json", TARBALL].sort(),
    );
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.dependencies["fuse-hub"]).toBe(`file:${TARBALL}`);
    expect(pkg.scripts.check).toBe("tsc --noEmit -p . && fuse check");
    // Nothing may tie the hub to this machine: not its files, not the packed Fuse inside.
    for (const file of files) {
      const bytes = readFileSync(path.join(dir, file));
      const text = file.endsWith(".tgz") ? gunzipSync(bytes).toString("latin1") : bytes.toString("utf8");
      expect(text.includes(REPO), `${file} names ${REPO}`).toBe(false);
    }
    expect(readFileSync(path.join(dir, ".gitignore"), "utf8")).toMatch(/^node_modules\/$[\s\S]*^\.fuse\/$/m);
  });

  it("refuses a folder that is not empty", async () => {
    const again = await runCli(parent, ["init", "my-hub"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/my-hub is not empty/);
  });

  it("reuses the packed Fuse for the next hub while the source is unchanged", async () => {
    const second = await runCli(parent, ["init", "second"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/unchanged, reused/);
    expect(readFileSync(path.join(parent, "second", TARBALL)).equals(readFileSync(path.join(dir, TARBALL)))).toBe(true);
  });

  it("is cloned elsewhere, installs from its own files and passes its tests and its check", async () => {
    const git = (cwd: string, ...args: string[]) => run("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd });
    expect((await git(dir, "init", "-q")).status).toBe(0);
    expect((await git(dir, "add", ".")).status).toBe(0);
    expect((await git(dir, "commit", "-q", "-m", "a new hub")).status).toBe(0);
    const cloned = await git(path.dirname(clone), "clone", "-q", dir, clone);
    expect(cloned.status, cloned.output).toBe(0);
    expect(existsSync(path.join(clone, TARBALL))).toBe(true);

    const install = await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: clone, timeoutMs: 180_000 });
    expect(install.status, install.output).toBe(0);
    expect(existsSync(path.join(clone, "node_modules/.bin/fuse"))).toBe(true);
    expect(existsSync(path.join(clone, "node_modules/fuse-hub/schemas/table-schema.schema.json"))).toBe(true);

    const setup = await run("npm", ["run", "setup"], { cwd: clone });
    expect(setup.status, setup.output).toBe(0);
    expect(setup.output).toMatch(/ready: node, nats-server, sqld/);

    const test = await run("npm", ["test"], { cwd: clone });
    expect(test.status, test.output).toBe(0);
    expect(test.output).toMatch(/2 passed/);

    const check = await run("npm", ["run", "check"], { cwd: clone });
    expect(check.status, check.output).toBe(0);
    // tsc passed, then the installed fuse checked everything the hub has without starting it.
    expect(check.output).toMatch(/checked 1 actor\(s\), 1 task\(s\), 1 table\(s\) and the config: no problems/);
  }, 300_000);

  it("runs with its own fuse, its actor answering over HTTP and its task running", async () => {
    hub = await startHub(clone, [], path.join(clone, "node_modules/fuse-hub/bin/fuse.mjs"));
    const response = await fetch(`${hub.state.gatewayUrl}/api/hello/greet`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Ada" }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: "Hello, Ada!", times: 1 });
    expect(await hub.actor("hello")).toMatchObject({ running: 2 });
    const ran = await hub.call<{ status: string; output: unknown }>("taskmaster.run", { task: "greet-twice", input: { first: "Ada", second: "Grace" }, wait: true });
    expect(ran).toMatchObject({ status: "succeeded", output: { messages: ["Hello, Ada!", "Hello, Grace!"] } });
    // Its config keeps traces in the hub (telemetry.recent): the greeting is one, from the installed OpenTelemetry packages.
    const traced = (await (await fetch(`${hub.state.gatewayUrl}${TRACES_PATH}?endpoint=hello.greet`)).json()) as RecentTracesReply;
    expect(traced.traces.map((t) => t.entry)).toContain("hello.greet");
    await hub.stop();
    hub = undefined;
    // What ran and what was installed stays out of git: only the new lock file is to commit.
    const status = await run("git", ["status", "--porcelain"], { cwd: clone });
    expect(status.output.trim()).toBe("?? package-lock.json");
  }, 120_000);
});
