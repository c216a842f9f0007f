import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { identify, writeState } from "../../runtime/hub/index.ts";
import type { HubState, ProcessIdentity } from "../../runtime/protocol/index.ts";
import { createHubDir, isAlive, killLeftovers, removeHubDir, runCli, startHub, waitFor } from "../helpers/index.ts";

/** A process the test owns, standing in for a server a killed hub left, or for an unrelated program. */
function startSleeper(): number {
  const child = spawn("sleep", ["300"], { stdio: "ignore", detached: true });
  child.unref();
  return child.pid!;
}

const identityOf = (pid: number): ProcessIdentity => identify(pid)!;

function deadHubState(dir: string, services: ProcessIdentity[], hub: ProcessIdentity): HubState {
  return { pid: hub.pid, dir, prefix: "fuse", natsUrl: "nats://127.0.0.1:1", startedAt: 0, version: "0", servicePids: services.map((s) => s.pid), processes: { hub, services } };
}

describe("no orphans", () => {
  const owned: number[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    killLeftovers(owned.splice(0));
    dirs.splice(0).forEach(removeHubDir);
  });

  it("takes nats-server, sqld and every actor down with a hub killed by SIGKILL", async () => {
    const dir = createHubDir({ config: "actors:\n  alpha:\n    instances: 2\n", actors: { alpha: "worker" } });
    dirs.push(dir);
    const hub = await startHub(dir);
    const pids = await hub.pids();
    owned.push(...pids);
    // servers (nats-server, sqld) + 2 alpha + the built-in db, gateway and taskmaster
    expect(pids.length).toBeGreaterThanOrEqual(7);
    hub.expectExit();
    hub.process.kill("SIGKILL");
    await waitFor("every process of the killed hub to exit", () => !pids.some(isAlive), 10_000).catch(() => undefined);
    expect({ started: pids.length, left: pids.filter(isAlive) }).toEqual({ started: pids.length, left: [] });
  });

  it("fuse down on a dead hub stops the servers it left and forgets it", async () => {
    const dir = createHubDir();
    dirs.push(dir);
    const leftover = startSleeper();
    owned.push(leftover);
    const gone = identityOf(process.pid);
    writeState(dir, deadHubState(dir, [identityOf(leftover)], { ...gone, pid: 999_999_999 }));
    const result = await runCli(dir, ["down"]);
    expect(result.stdout).toContain(`stopped 1 server(s) it left (pids ${leftover})`);
    expect(result.code).toBe(0);
    await waitFor("the leftover server to exit", () => !isAlive(leftover), 10_000);
    expect(existsSync(path.join(dir, ".fuse/state.json"))).toBe(false);
  });

  it("never signals a process that only reuses a recorded pid", async () => {
    const dir = createHubDir();
    dirs.push(dir);
    const unrelated = startSleeper();
    owned.push(unrelated);
    const reused = { ...identityOf(unrelated), startTime: identityOf(unrelated).startTime - 1 };
    // Both the hub and its server are recorded with the unrelated process's pid but another start time.
    writeState(dir, deadHubState(dir, [reused], reused));
    const result = await runCli(dir, ["down"]);
    expect(result.stdout).toContain("was not running; nothing was left running");
    expect(isAlive(unrelated)).toBe(true);
  });
});
