import { describe, expect, it } from "vitest";
import { startProblems, summaryLines } from "../../../runtime/cli/commands/up-summary.ts";
import type { ActorStatus, HubInfo, InstanceStatus } from "../../../runtime/protocol/index.ts";

const instance = (index: number, status: InstanceStatus["status"], reason?: string): InstanceStatus => ({
  index,
  pid: status === "running" ? 100 + index : null,
  status,
  restarts: reason ? 1 : 0,
  startedAt: null,
  lagMs: 0,
  ...(reason ? { lastExit: { code: 1, signal: null, at: 0, reason } } : {}),
});

const actor = (name: string, instances: InstanceStatus[], status: ActorStatus["status"] = "running"): ActorStatus => ({
  name,
  builtin: false,
  kind: "actor",
  module: `actors/${name}/index.ts`,
  status,
  desired: instances.length,
  running: instances.filter((i) => i.status === "running").length,
  restarts: 0,
  pids: instances.flatMap((i) => (i.pid ? [i.pid] : [])),
  uptimeMs: null,
  requests: 0,
  errors: 0,
  meanMs: 0,
  instances,
});

const info: HubInfo = { pid: 1, dir: "/hub", prefix: "fuse", natsUrl: "nats://127.0.0.1:4222", startedAt: 0, version: "0" };

describe("the fuse up summary", () => {
  // Plain text, as in a log or a pipe; colour is only for a terminal.
  process.env.NO_COLOR = "1";

  it("counts an actor with no serving instance and a crashed one as failed, whether in backoff, starting again or given up", () => {
    const statuses = [
      actor("ok", [instance(0, "running")]),
      actor("backoff", [instance(0, "backoff", "exited with code 1: boom")], "starting"),
      actor("again", [instance(0, "starting", "exited with code 1: again")], "starting"),
      actor("gave-up", [instance(0, "failed", "exited with code 1: done")], "failed"),
      actor("half", [instance(0, "running"), instance(1, "backoff", "killed by SIGKILL")], "degraded"),
      actor("slow", [instance(0, "starting")], "starting"),
    ];
    expect(startProblems(statuses)).toEqual([
      { actor: "backoff", state: "failed", reason: "exited with code 1: boom", retrying: true },
      { actor: "again", state: "failed", reason: "exited with code 1: again", retrying: true },
      { actor: "gave-up", state: "failed", reason: "exited with code 1: done", retrying: false },
      { actor: "half", state: "degraded", reason: "killed by SIGKILL", retrying: true },
    ]);
  });

  it("prints the state and the first lines of the reason, and a headline that counts them", () => {
    const long = `exited with code 1: ${"x".repeat(400)} | second line | third | fourth`;
    const lines = summaryLines(info, 42, [actor("ok", [instance(0, "running")]), actor("bad", [instance(0, "failed", long)], "failed")]).join("\n").split("\n");
    expect(lines[0]).toBe("● Fuse hub ready in 42 ms with 1 actor(s) failed (pid 1, /hub)");
    expect(lines.find((l) => l.startsWith("bad "))).toMatch(/^bad +0\/1 +failed +-$/);
    const reason = lines.slice(lines.findIndex((l) => l.startsWith("✗")));
    expect(reason[0]).toBe(`✗ bad failed: exited with code 1: ${"x".repeat(280)}…`);
    expect(reason.slice(1, 3)).toEqual(["    second line", "    third"]);
  });

  it("keeps the plain headline when every actor started", () => {
    const lines = summaryLines(info, 7, [actor("ok", [instance(0, "running")])]);
    expect(lines[0]).toBe("● Fuse hub ready in 7 ms (pid 1, /hub)");
    expect(lines.some((l) => l.startsWith("✗"))).toBe(false);
  });
});
