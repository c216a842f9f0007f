import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsTransport, callEndpoint, connectNats } from "../../runtime/bus/index.ts";
import { startNatsServer, type NatsServerHandle } from "../../runtime/hub/servers/nats-server.ts";
import { freePort } from "../../runtime/hub/servers/ports.ts";
import { Header, ProcessEnv, endpointSubject } from "../../runtime/protocol/index.ts";
import { REPO, createHubDir, freshPrefix, isAlive, killLeftovers, removeHubDir, waitFor } from "../helpers/index.ts";

const FUSE = path.join(REPO, "bin/fuse.mjs");

// Short health times, so a stopped process is called hung quickly; a long hang timeout, so a
// CPU-bound handler of a few seconds is busy, not hung.
const CONFIG = `
health:
  heartbeatMs: 100
  busyLagMs: 300
  hangTimeoutMs: 60000
  silenceTimeoutMs: 1500
drainTimeoutMs: 20000
`;

interface RunningPod {
  child: ChildProcessWithoutNullStreams;
  probePort: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

const pids = new Set<number>();

async function startPod(dir: string, actor: string, env: Record<string, string>): Promise<RunningPod> {
  const probePort = await freePort();
  const child = spawn(process.execPath, [FUSE, "run", actor, "--probe-port", String(probePort)], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  pids.add(child.pid!);
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return { child, probePort, output: () => output, exited };
}

async function probe(port: number, which: "livez" | "readyz"): Promise<{ status: number; reason: string } | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/${which}`);
    const body = (await response.json()) as { reason: string };
    return { status: response.status, reason: body.reason };
  } catch {
    return undefined; // not listening yet, or gone
  }
}

describe("fuse run: one actor without a hub, as in a pod", () => {
  let dir: string;
  let natsDir: string;
  let nats: NatsServerHandle | undefined;
  let natsPort: number;
  let transport: NatsTransport | undefined;
  const prefix = freshPrefix();
  let pod: RunningPod;

  const call = async <T>(endpoint: string, input: unknown, timeoutMs = 30_000) => {
    const headers = { [Header.deadline]: String(Date.now() + timeoutMs) };
    return (await callEndpoint(transport!, { subject: endpointSubject(prefix, "worker", endpoint), actor: "worker", endpoint }, input, { headers, timeoutMs })) as T;
  };

  beforeAll(async () => {
    dir = createHubDir({ config: CONFIG, actors: { worker: "worker", broken: "broken" } });
    natsDir = mkdtempSync(path.join(os.tmpdir(), "fuse-run-nats-"));
    natsPort = await freePort();
  });
  afterAll(async () => {
    await transport?.close();
    killLeftovers(pids);
    await nats?.stop();
    rmSync(natsDir, { recursive: true, force: true });
    removeHubDir(dir);
  });

  it("is not ready (503) while the bus is unreachable, and live", async () => {
    // The bus comes up only later: the actor keeps retrying, so readiness is observed before it.
    pod = await startPod(dir, "worker", { [ProcessEnv.natsUrl]: `nats://127.0.0.1:${natsPort}`, [ProcessEnv.prefix]: prefix });
    const ready = await waitFor("the probes to answer", () => probe(pod.probePort, "readyz"), 60_000);
    expect(ready).toEqual({ status: 503, reason: "starting" });
    expect(await probe(pod.probePort, "livez")).toEqual({ status: 200, reason: "starting" });
  });

  it("becomes ready (200) once subscribed, and serves calls", async () => {
    nats = await startNatsServer({ dir: natsDir, port: natsPort });
    const ready = await waitFor("readyz 200", async () => ((await probe(pod.probePort, "readyz"))?.status === 200 ? true : undefined), 30_000);
    expect(ready).toBe(true);
    transport = new NatsTransport(await connectNats({ url: nats.url, name: "fuse-run-test" }));
    const reply = await call<{ text: string; pid: number }>("echo", { text: "hi" });
    expect(reply.text).toBe("hi");
    expect(await probe(pod.probePort, "livez")).toEqual({ status: 200, reason: "ok" });
  });

  it("stays live while a handler keeps the main loop busy, and says busy", async () => {
    const seen: number[] = [];
    const spin = call("spin", { ms: 4000 });
    const busy = await waitFor("livez to say busy", async () => {
      const answer = await probe(pod.probePort, "livez");
      if (answer) seen.push(answer.status);
      return answer?.reason === "busy" ? answer : undefined;
    });
    await spin;
    expect(busy.status).toBe(200);
    expect(seen.filter((s) => s !== 200)).toEqual([]);
  });

  it("is neither live nor ready (503) when the process is frozen, and recovers when it runs again", async () => {
    const { pid } = await call<{ pid: number }>("echo", { text: "pid" });
    pids.add(pid);
    process.kill(pid, "SIGSTOP");
    try {
      const hung = await waitFor("livez 503", async () => {
        const answer = await probe(pod.probePort, "livez");
        return answer?.status === 503 ? answer : undefined;
      });
      expect(hung.reason).toMatch(/^hung: no heartbeat for \d+ ms \(stopped or frozen process\)$/);
      expect((await probe(pod.probePort, "readyz"))?.status).toBe(503);
    } finally {
      process.kill(pid, "SIGCONT");
    }
    expect(await waitFor("livez 200 again", async () => ((await probe(pod.probePort, "livez"))?.status === 200 ? true : undefined))).toBe(true);
  });

  it("on SIGTERM stops being ready, answers the requests in flight, then exits 0", async () => {
    const started = path.join(dir, "hold-started");
    // `hold` answers only once its process is told to stop; `slow` keeps the drain going a while.
    const held = call<{ pid: number; stoppedBy: string }>("hold", { started }).then((r) => ({ ok: true as const, r }), (e: unknown) => ({ ok: false as const, e }));
    const slow = call<{ pid: number }>("slow", { ms: 8000 }).then((r) => ({ ok: true as const, r }), (e: unknown) => ({ ok: false as const, e }));
    await waitFor("the hold request to be in its handler", () => existsSync(started) || undefined);
    pod.child.kill("SIGTERM");
    const draining = await waitFor("readyz to say draining", async () => {
      const answer = await probe(pod.probePort, "readyz");
      return answer?.reason === "draining" ? answer : undefined;
    });
    expect(draining.status).toBe(503);
    const outcomes = await Promise.all([held, slow]);
    expect({ sent: 2, succeeded: outcomes.filter((o) => o.ok).length, failed: outcomes.filter((o) => !o.ok).map((o) => String((o as { e: unknown }).e)) }).toEqual({ sent: 2, succeeded: 2, failed: [] });
    const hold = outcomes[0];
    expect(hold.ok && hold.r.stoppedBy).toBe("SIGTERM");
    const exit = await pod.exited;
    expect({ exit, output: exit.code === 0 ? "" : pod.output() }).toEqual({ exit: { code: 0, signal: null }, output: "" });
    expect(hold.ok && isAlive(hold.r.pid)).toBe(false);
  });

  it("exits non-zero naming the bus when it cannot connect", async () => {
    const unused = await freePort();
    const failing = await startPod(dir, "worker", { [ProcessEnv.natsUrl]: `nats://127.0.0.1:${unused}`, [ProcessEnv.prefix]: prefix });
    const exit = await failing.exited;
    expect(exit.code).toBe(1);
    expect(failing.output()).toContain(`fuse run worker: actor "worker" exited with code 1 without being asked to: NO_LIVE_INSTANCE: cannot connect to the bus at nats://127.0.0.1:${unused}`);
  }, 60_000);

  it("exits non-zero with the module's error when the actor throws while loading", async () => {
    const failing = await startPod(dir, "broken", { [ProcessEnv.natsUrl]: nats!.url, [ProcessEnv.prefix]: prefix });
    const exit = await failing.exited;
    expect(exit.code).toBe(1);
    expect(failing.output()).toMatch(/fuse run broken: actor "broken" exited with code 1 without being asked to: \w+: broken actor broken cannot start/);
  });

  it("refuses an unknown actor, naming the ones it knows", async () => {
    const failing = await startPod(dir, "nobody", { [ProcessEnv.natsUrl]: nats!.url });
    const exit = await failing.exited;
    expect(exit.code).toBe(1);
    expect(failing.output()).toContain(`fuse run: no actor "nobody" in config/fuse.yaml or the actors folder (known: broken, db, gateway, taskmaster, worker) [ACTOR_NOT_FOUND]`);
  });
});
