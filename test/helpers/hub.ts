import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NatsTransport, callEndpoint, connectNats } from "../../runtime/bus/index.ts";
import { Header, endpointSubject, parseTarget, type ActorStatus, type HubState } from "../../runtime/protocol/index.ts";
import { isAlive, killLeftovers } from "./processes.ts";
import { waitFor } from "./wait-for.ts";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SDK = path.join(REPO, "runtime/sdk/index.ts");
const FIXTURES = path.join(REPO, "test/fixtures/actors");
const FUSE = path.join(REPO, "bin/fuse.mjs");

export interface HubDirOptions {
  /** Text of config/fuse.yaml. */
  config?: string;
  /** Actor name → fixture file name under test/fixtures/actors (without .ts). */
  actors?: Record<string, string>;
  /** More files: path in the hub folder → path under test/fixtures. */
  files?: Record<string, string>;
}

/** A temporary hub folder with a config and fixture actors (their SDK import made absolute). */
export function createHubDir(options: HubDirOptions = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-hub-"));
  mkdirSync(path.join(dir, "config"));
  writeFileSync(path.join(dir, "config/fuse.yaml"), options.config ?? "{}\n");
  for (const [name, fixture] of Object.entries(options.actors ?? {})) {
    const source = readFileSync(path.join(FIXTURES, `${fixture}.ts`), "utf8")
      .replaceAll("../../../runtime/sdk/index.ts", SDK)
      .replaceAll("@NAME@", name);
    mkdirSync(path.join(dir, "actors", name), { recursive: true });
    writeFileSync(path.join(dir, "actors", name, "index.ts"), source);
  }
  for (const [target, fixture] of Object.entries(options.files ?? {})) {
    mkdirSync(path.dirname(path.join(dir, target)), { recursive: true });
    cpSync(path.join(REPO, "test/fixtures", fixture), path.join(dir, target));
  }
  return dir;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `fuse <args>` in `dir` to completion. */
export function runCli(dir: string, args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [FUSE, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningHub {
  dir: string;
  process: ChildProcess;
  state: HubState;
  output(): string;
  call<T = unknown>(target: string, input?: unknown, options?: { timeoutMs?: number; traceId?: string }): Promise<T>;
  list(): Promise<ActorStatus[]>;
  actor(name: string): Promise<ActorStatus>;
  /** Every PID the hub runs now: actors and servers. */
  pids(): Promise<number[]>;
  /** SIGTERM, wait for exit; fails if any process it ran is still alive afterwards. */
  stop(): Promise<number | null>;
}

/** Starts `fuse up` in `dir` as a real child process and waits until the hub is ready. */
export async function startHub(dir: string, args: string[] = []): Promise<RunningHub> {
  const child = spawn(process.execPath, [FUSE, "up", ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const stateFile = path.join(dir, ".fuse/state.json");
  let state: HubState;
  try {
    state = await waitFor("hub state file", () => {
      if (child.exitCode !== null) throw new Error(`fuse up exited with ${child.exitCode}: ${output}`);
      if (!existsSync(stateFile)) return undefined;
      const s = JSON.parse(readFileSync(stateFile, "utf8")) as HubState;
      return s.pid === child.pid ? s : undefined;
    }, 60_000);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  const transport = new NatsTransport(await connectNats({ url: state.natsUrl, name: "test" }));
  const seen = new Set<number>(state.servicePids);
  const call = async <T>(target: string, input: unknown = {}, options: { timeoutMs?: number; traceId?: string } = {}) => {
    const parsed = parseTarget(target)!;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const headers: Record<string, string> = { [Header.deadline]: String(Date.now() + timeoutMs) };
    if (options.traceId) headers[Header.traceId] = options.traceId;
    return (await callEndpoint(transport, { subject: endpointSubject(state.prefix, parsed.actor, parsed.endpoint), ...parsed }, input, {
      headers,
      timeoutMs,
    })) as T;
  };
  const list = async () => {
    const { actors } = await call<{ actors: ActorStatus[] }>("hub.list");
    for (const a of actors) a.pids.forEach((p) => seen.add(p));
    return actors;
  };
  return {
    dir,
    process: child,
    state,
    output: () => output,
    call,
    list,
    actor: async (name) => {
      const found = (await list()).find((a) => a.name === name);
      if (!found) throw new Error(`no actor ${name}`);
      return found;
    },
    pids: async () => [...(await list()).flatMap((a) => a.pids), ...state.servicePids],
    async stop() {
      if (child.exitCode === null) await list().catch(() => undefined);
      await transport.close().catch(() => undefined);
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const code = await exited;
      clearTimeout(timer);
      await waitFor("every hub process to exit", () => ![...seen].some(isAlive), 10_000).catch(() => undefined);
      const leftovers = killLeftovers(seen);
      if (leftovers.length) throw new Error(`processes left running after the hub stopped: ${leftovers.join(", ")}`);
      return code;
    },
  };
}

const SDK_IMPORT = /(["'])(\.\.\/)+runtime\/sdk\/index\.ts\1/g;

/** A temporary copy of this repository's demo hub (config, actors, schemas, tasks). */
export function copyDemoHub(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-demo-"));
  for (const sub of ["config", "actors", "schemas", "tasks"]) {
    if (existsSync(path.join(REPO, sub))) cpSync(path.join(REPO, sub), path.join(dir, sub), { recursive: true });
  }
  // The demo actors import the SDK by a relative path; point it back at this repository.
  for (const actor of readdirSync(path.join(dir, "actors"))) {
    for (const file of readdirSync(path.join(dir, "actors", actor)).filter((f) => f.endsWith(".ts"))) {
      const full = path.join(dir, "actors", actor, file);
      writeFileSync(full, readFileSync(full, "utf8").replace(SDK_IMPORT, JSON.stringify(SDK)));
    }
  }
  return dir;
}

/** Removes a temporary hub folder. */
export function removeHubDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
