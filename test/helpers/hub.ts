import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ConnectionOptions } from "nats";
import { NatsTransport, callEndpoint, connectNats, natsAuthenticator, type ConnectOptions } from "../../runtime/bus/index.ts";
import { ADMIN_IDENTITY, Header, endpointSubject, inboxPrefix, parseTarget, type ActorStatus, type HubState } from "../../runtime/protocol/index.ts";
import { isAlive, killLeftovers } from "./processes.ts";
import { failWaits, unlessFailed, waitFor } from "./wait-for.ts";

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

/**
 * Runs `fuse <args>` in `dir` to completion; fails at once if the hub of the test dies meanwhile.
 * A command that runs until stopped (`events tail`, `logs -f`) gets `until`: it is sent SIGTERM
 * once its output so far satisfies it, so the test waits for what it expects, not a fixed time.
 */
export function runCli(dir: string, args: string[], timeoutMs = 60_000, until?: (stdout: string) => boolean): Promise<CliResult> {
  const child = spawn(process.execPath, [FUSE, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
  const done = new Promise<CliResult>((resolve) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      if (until?.(stdout)) child.kill("SIGTERM");
    });
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return unlessFailed(`fuse ${args.join(" ")}`, done).catch((error: unknown) => {
    child.kill("SIGKILL");
    throw error;
  });
}

/**
 * How a test connects to a running hub's bus with `connectNats`: as the hub's admin identity,
 * the one the CLI uses (its seed's path is in the state file). The hub refuses a connection
 * without a credential.
 */
export function hubBus(state: Pick<HubState, "natsUrl" | "natsCreds" | "natsTls">, name = "test"): ConnectOptions {
  return { url: state.natsUrl, name, credsFile: state.natsCreds, inboxPrefix: inboxPrefix(ADMIN_IDENTITY), ...(state.natsTls ? { tls: state.natsTls } : {}) };
}

/** The same for a plain nats.js `connect` (servers, authenticator, inbox prefix). */
export function hubNatsOptions(state: Pick<HubState, "natsUrl" | "natsCreds">, name = "test"): ConnectionOptions {
  return {
    servers: state.natsUrl,
    name,
    inboxPrefix: inboxPrefix(ADMIN_IDENTITY),
    ...(state.natsCreds ? { authenticator: natsAuthenticator(state.natsCreds) } : {}),
  };
}

export interface RunningHub {
  dir: string;
  process: ChildProcess;
  /** The state file as the hub first wrote it, once ready. */
  state: HubState;
  /**
   * The state file as it is now: the hub writes it again when something in it changes (a
   * gateway that was not ready at the hub's start names its address once it is).
   */
  currentState(): HubState;
  output(): string;
  call<T = unknown>(target: string, input?: unknown, options?: { timeoutMs?: number; traceId?: string }): Promise<T>;
  list(): Promise<ActorStatus[]>;
  actor(name: string): Promise<ActorStatus>;
  /** Every PID the hub runs now: actors and servers. */
  pids(): Promise<number[]>;
  /**
   * Declares that the hub is about to exit on purpose (`fuse down`, a console that goes away).
   * Until then its exit fails every call and `waitFor` of the test at once, with its exit code
   * or signal and its last stderr lines.
   */
  expectExit(): void;
  /** SIGTERM, wait for exit; fails if any process it ran is still alive afterwards. */
  stop(): Promise<number | null>;
}

/** The last `n` lines of a process's output, for a failure message. */
function lastLines(text: string, n: number): string {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}

/**
 * Starts `fuse up` in `dir` as a real child process and waits until the hub is ready; `fuse` is
 * the CLI to run (this checkout's, or a hub's own node_modules/fuse-hub/bin/fuse.mjs).
 */
export async function startHub(dir: string, args: string[] = [], fuse = FUSE): Promise<RunningHub> {
  const child = spawn(process.execPath, [fuse, "up", ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
  let output = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => ((output += d), (stderr += d)));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  // An exit nobody asked for fails what the test waits for at once, not at its deadline.
  let expectingExit = false;
  let withdraw: (() => void) | undefined;
  child.on("close", (code, signal) => {
    if (expectingExit) return;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    withdraw = failWaits(new Error(`fuse up (pid ${child.pid}) ${how} during the test; its last stderr lines:\n${lastLines(stderr, 20) || "(none)"}`));
  });
  const stateFile = path.join(dir, ".fuse/state.json");
  let state: HubState;
  try {
    state = await waitFor("hub state file", () => {
      if (!existsSync(stateFile)) return undefined;
      const s = JSON.parse(readFileSync(stateFile, "utf8")) as HubState;
      return s.pid === child.pid ? s : undefined;
    }, 60_000);
  } catch (error) {
    expectingExit = true;
    withdraw?.();
    child.kill("SIGKILL");
    throw error;
  }
  const seen = new Set<number>(state.servicePids);
  /** Stops `fuse up` as asked: SIGTERM, SIGKILL if it has not exited within 30 s. */
  const terminate = async () => {
    expectingExit = true;
    withdraw?.();
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  let transport: NatsTransport;
  try {
    transport = new NatsTransport(await connectNats(hubBus(state, "test")));
  } catch (error) {
    // The hub is up but the test cannot reach its bus: stop it rather than leave it running.
    await terminate();
    killLeftovers(seen);
    throw error;
  }
  const call = async <T>(target: string, input: unknown = {}, options: { timeoutMs?: number; traceId?: string } = {}) => {
    const parsed = parseTarget(target)!;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const headers: Record<string, string> = { [Header.deadline]: String(Date.now() + timeoutMs) };
    if (options.traceId) headers[Header.traceId] = options.traceId;
    const reply = callEndpoint(transport, { subject: endpointSubject(state.prefix, parsed.actor, parsed.endpoint), ...parsed }, input, { headers, timeoutMs });
    return (await unlessFailed(`the reply of ${target}`, reply)) as T;
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
    currentState: () => JSON.parse(readFileSync(stateFile, "utf8")) as HubState,
    output: () => output,
    call,
    list,
    actor: async (name) => {
      const found = (await list()).find((a) => a.name === name);
      if (!found) throw new Error(`no actor ${name}`);
      return found;
    },
    pids: async () => [...(await list()).flatMap((a) => a.pids), ...state.servicePids],
    expectExit: () => {
      expectingExit = true;
    },
    async stop() {
      if (child.exitCode === null) await list().catch(() => undefined);
      // Servers revived during the test run under pids of their own, recorded in the state file.
      try {
        (JSON.parse(readFileSync(stateFile, "utf8")) as HubState).servicePids.forEach((p) => seen.add(p));
      } catch {
        // No state file (the hub removed it on its way out): no server was revived unseen.
      }
      await transport.close().catch(() => undefined);
      const code = await terminate();
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
  for (const sub of ["config", "actors", "schemas", "tasks", "public"]) {
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
  if (!process.env.KEEP_HUB_DIR) rmSync(dir, { recursive: true, force: true });
}
