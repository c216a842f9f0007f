import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { connect } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HubState } from "../../runtime/protocol/index.ts";
import { REPO, createHubDir, hubNatsOptions, isAlive, removeHubDir, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

const CONFIG = `
actors:
  alpha:
    instances: 2
`;

describe("fuse up / fuse down", () => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    dir = createHubDir({ config: CONFIG, actors: { alpha: "worker", beta: "worker" } });
    hub = await startHub(dir);
  });
  afterAll(async () => {
    if (hub.process.exitCode === null) await hub.stop();
    removeHubDir(dir);
  });

  it("starts every discovered actor with its configured instances, each its own process", async () => {
    const actors = await hub.list();
    const alpha = actors.find((a) => a.name === "alpha")!;
    const beta = actors.find((a) => a.name === "beta")!;
    expect(alpha).toMatchObject({ status: "running", desired: 2, running: 2 });
    expect(beta).toMatchObject({ status: "running", desired: 1, running: 1 });
    const pids = new Set([...alpha.pids, ...beta.pids, hub.state.pid]);
    expect(pids.size).toBe(4);
  });

  it("writes .fuse/state.json with the hub's pid and bus URL", async () => {
    // startHub waits for this file to name its child's pid; what is left to see is the URL.
    const state = JSON.parse(readFileSync(path.join(dir, ".fuse/state.json"), "utf8")) as HubState;
    expect(state.natsUrl).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    const alpha = await hub.actor("alpha");
    // As the CLI does: the state file names the admin identity's credential file too.
    const nc = await connect(hubNatsOptions(state));
    try {
      const reply = await nc.request(`${state.prefix}.alpha.echo`, JSON.stringify({ text: "via the state file" }), { timeout: 5000 });
      expect(reply.json()).toMatchObject({ text: "via the state file", pid: expect.toBeOneOf(alpha.pids) });
    } finally {
      await nc.close();
    }
  });

  it("prints a summary with the actors, their instances and pids", () => {
    expect(hub.output()).toMatch(/Fuse hub ready in \d+ ms/);
    expect(hub.output()).toMatch(/alpha\s+2\/2\s+running\s+\d+, \d+/);
  });

  it("lists actors as JSON with name, status, desired, running, restarts and pids", async () => {
    const result = await runCli(dir, ["actors", "ls", "--json"]);
    expect(result.code).toBe(0);
    const list = (JSON.parse(result.stdout) as Record<string, unknown>[]).filter((a) => !a.builtin);
    expect(list.map((a) => a.name).sort()).toEqual(["alpha", "beta"]);
    for (const a of list) {
      expect(a).toEqual(expect.objectContaining({ status: "running", restarts: 0, desired: expect.any(Number), running: expect.any(Number) }));
      expect(a.pids).toHaveLength(a.running as number);
      expect((a.pids as number[]).filter((pid) => !isAlive(pid))).toEqual([]);
    }
  });

  it("shows a readable table in fuse actors ls", async () => {
    const result = await runCli(dir, ["actors", "ls"]);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toMatch(/^ACTOR\s+RUNNING\s+STATUS\s+PIDS\s+UPTIME\s+RESTARTS\s+REQUESTS\s+ERRORS\s+MEAN$/);
    expect(result.stdout).toMatch(/alpha\s+2\/2\s+running/);
  });

  it("calls an endpoint with fuse call and prints its output", async () => {
    const result = await runCli(dir, ["call", "alpha.echo", '{"text":"hi"}']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ text: "hi" });
    expect(result.stderr).toMatch(/trace [0-9a-f]{32}/);
  });

  it("exits non-zero with the validation message when fuse call's input is wrong", async () => {
    const result = await runCli(dir, ["call", "alpha.echo", '{"text":5}']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n").at(-1)).toMatchInlineSnapshot(`"error: alpha.echo input.text: Invalid input: expected string, received number"`);
  });

  it("counts requests and errors per actor", async () => {
    await hub.call("beta.echo", { text: "x" });
    await hub.call("beta.fail").catch(() => undefined);
    const beta = await hub.actor("beta");
    expect(beta.requests).toBe(2);
    expect(beta.errors).toBe(1);
  });

  it("stops with fuse down: a request in flight completes, then every process exits, no orphan left", async () => {
    const pids = await hub.pids();
    const beta = await hub.actor("beta");
    // beta.hold answers only once its process is told to stop, after writing this file.
    const started = path.join(dir, "hold-started");
    const held = hub.call<{ pid: number; stoppedBy: string }>("beta.hold", { started });
    await waitFor("the held request to be running", () => existsSync(started));
    hub.expectExit();
    const down = await runCli(dir, ["down"]);
    expect(down.code, down.stderr).toBe(0);
    await expect(held).resolves.toEqual({ pid: beta.pids[0], stoppedBy: "SIGTERM" });
    expect(await hub.stop()).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(path.join(dir, ".fuse/state.json"))).toBe(false);
  });

  it("says clearly that no hub runs once it is down", async () => {
    const result = await runCli(dir, ["actors", "ls"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no hub is running in .* start one with `fuse up`/);
  });

  it("prints its version", async () => {
    const result = await runCli(dir, ["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe((JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string }).version);
  });
});
