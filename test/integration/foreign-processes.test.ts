import { cpSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

const CONFIG = `
restart:
  initialDelayMs: 50
processes:
  shouter:
    command: python3
    args: [shout.py]
  missing:
    command: definitely-not-a-program
`;

describe("processes in any language", () => {
  let dir: string;
  let hub: RunningHub;

  beforeAll(async () => {
    dir = createHubDir({ config: CONFIG });
    cpSync(path.join(REPO, "test/fixtures/processes/shout.py"), path.join(dir, "shout.py"));
    hub = await startHub(dir);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("runs a Python program that answers requests on the bus, listed with the actors", async () => {
    const reply = await waitFor("the python process to answer", () =>
      hub.call<{ text: string; pid: number }>("shouter.shout", { text: "hello" }, { timeoutMs: 2000 }).catch(() => undefined),
    );
    expect(reply.text).toBe("HELLO");
    const shouter = await hub.actor("shouter");
    expect(shouter).toMatchObject({ kind: "process", status: "running", pids: [reply.pid] });
  });

  it("revives the program when it dies", async () => {
    const before = await hub.actor("shouter");
    process.kill(before.pids[0]!, "SIGKILL");
    const reply = await waitFor("a new python process to answer", () =>
      hub.call<{ pid: number }>("shouter.shout", { text: "again" }, { timeoutMs: 2000 }).then((r) => (r.pid !== before.pids[0] ? r : undefined), () => undefined),
    );
    expect((await hub.actor("shouter")).restarts).toBe(1);
    expect(reply.pid).not.toBe(before.pids[0]);
  });

  it("captures its stdout and stderr into its own log file", () => {
    const log = readFileSync(path.join(dir, ".fuse/logs/shouter.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(log).toEqual(expect.arrayContaining([
      expect.objectContaining({ msg: "process started", level: 30 }),
      expect.objectContaining({ msg: "plain text on stderr is captured too", level: 50 }),
    ]));
  });

  it("gives up on a program that cannot start, saying why", async () => {
    const missing = await waitFor("missing marked failed", async () => {
      const a = await hub.actor("missing");
      return a.status === "failed" ? a : undefined;
    }, 30_000);
    expect(missing.instances[0]!.lastExit!.reason).toContain("cannot start definitely-not-a-program");
  });
});
