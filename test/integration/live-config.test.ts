import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, startHub, waitFor, type RunningHub } from "../helpers/index.ts";
import type { ActorStatus } from "../../runtime/protocol/index.ts";

const base = (actors: string) => `discover: false\nactors:\n${actors}`;

describe("live config", () => {
  let dir: string;
  let hub: RunningHub;
  const write = (text: string) => writeFileSync(path.join(dir, "config/fuse.yaml"), text);
  const pidsOf = async () => Object.fromEntries((await hub.list()).filter((a) => !a.builtin).map((a) => [a.name, a.pids]));
  const userActors = async () => (await hub.list()).filter((a: ActorStatus) => !a.builtin);

  beforeAll(async () => {
    dir = createHubDir({
      config: base("  alpha:\n    instances: 2\n  beta: {}\n"),
      actors: { alpha: "worker", beta: "worker", gamma: "worker" },
    });
    hub = await startHub(dir);
  });
  afterAll(async () => {
    await hub?.stop();
    removeHubDir(dir);
  });

  it("starts an actor added to the config and leaves the others' processes alone", async () => {
    const before = await pidsOf();
    write(base("  alpha:\n    instances: 2\n  beta: {}\n  gamma: {}\n"));
    await waitFor("gamma running", async () => (await userActors()).find((a) => a.name === "gamma" && a.status === "running"));
    const after = await pidsOf();
    expect(after.alpha).toEqual(before.alpha);
    expect(after.beta).toEqual(before.beta);
  });

  it("stops an actor removed from the config", async () => {
    const before = await pidsOf();
    write(base("  alpha:\n    instances: 2\n  gamma: {}\n"));
    await waitFor("beta gone", async () => !(await userActors()).some((a) => a.name === "beta"));
    const after = await pidsOf();
    expect(after).toEqual({ alpha: before.alpha, gamma: before.gamma });
  });

  it("rescales an actor whose instance count changed, keeping its running instances", async () => {
    const before = await pidsOf();
    write(base("  alpha:\n    instances: 3\n  gamma: {}\n"));
    const alpha = await waitFor("alpha at 3", async () => (await userActors()).find((a) => a.name === "alpha" && a.running === 3));
    expect(alpha.pids.slice(0, 2)).toEqual(before.alpha);
    expect((await pidsOf()).gamma).toEqual(before.gamma);
  });

  it("restarts only the actor whose environment changed", async () => {
    const before = await pidsOf();
    write(base("  alpha:\n    instances: 3\n  gamma:\n    env:\n      MODE: fast\n"));
    await waitFor("gamma restarted", async () => {
      const gamma = (await userActors()).find((a) => a.name === "gamma")!;
      return gamma.status === "running" && gamma.pids[0] !== before.gamma![0];
    });
    expect((await pidsOf()).alpha).toEqual(before.alpha);
  });

  it("reports an invalid edit with file, line and key and keeps the running config", async () => {
    const before = await pidsOf();
    write(base("  alpha:\n    instances: 3\n    instanses: 4\n"));
    const warning = await waitFor("the warning", async () => {
      const { lines } = await hub.call<{ lines: string[] }>("hub.logs", { name: "hub", lines: 50 });
      return lines.map((l) => JSON.parse(l) as { msg: string; err?: { message: string } }).find((l) => l.msg === "config edit ignored");
    });
    expect(warning.err!.message).toBe('config/fuse.yaml:5 actors.alpha.instanses: unknown key, did you mean "instances"?');
    expect(await pidsOf()).toEqual(before);
  });
});
