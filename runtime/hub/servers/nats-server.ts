import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { UnavailableError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { findBinary } from "./find-binary.ts";
import { freePort, startOnPickedPort } from "./ports.ts";
import { stopChild } from "./stop-child.ts";
import { withParentDeathSignal } from "../process/parent-death.ts";
import { makePrivateDir, withPrivateUmask } from "../private-folder.ts";

export interface NatsServerOptions {
  /** Folder for the JetStream store and the server log. */
  dir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Longest wait for the server to listen, in ms. Default 10 000. */
  readyTimeoutMs?: number;
  /** GOMAXPROCS of the server. Default: see natsServerThreads. */
  threads?: number;
  /** A config file: the users with their permissions and JetStream's store (`<dir>/jetstream`), see bus-identities.ts. */
  configFile?: string;
  /** Gets each line the server logs once it listens (refused clients among them). */
  onLine?: (line: string) => void;
  /** A loopback port for the server's monitoring endpoint (`/varz`, read for metrics). Default: none. */
  monitorPort?: number | undefined;
}

/** Calls `onLine` for each whole line of `already` (what was read before) and then of `stream`. */
function followLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void, already = ""): void {
  const lines = already.split("\n");
  let rest = lines.pop() ?? "";
  for (const line of lines) onLine(line);
  stream.on("data", (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
}

export interface NatsServerHandle {
  url: string;
  pid: number;
  process: ChildProcess;
  /** Resolves with the exit code (or signal) when the server exits. */
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

const LISTENING = /Listening for client connections on [^:\s]+:(\d+)/;

/** JetStream's store in a nats-server folder. */
export function natsStoreDir(dir: string): string {
  return path.join(dir, "jetstream");
}

/** Where nats-server is, or a clear error saying how to install it. */
export function natsServerBinary(): string {
  const binary = findBinary("nats-server", process.env.NATS_SERVER ? [process.env.NATS_SERVER] : []);
  if (!binary) {
    throw new UnavailableError(
      "nats-server was not found: install it with `apt-get install -y nats-server` (Debian/Ubuntu, as root), " +
        "set NATS_SERVER to its path, or set bus.url in config/fuse.yaml to an existing NATS server",
      { code: ErrorCode.NO_LIVE_INSTANCE },
    );
  }
  return binary;
}

/**
 * GOMAXPROCS for nats-server, or undefined to leave Go's default (one thread per core). On 2
 * cores or fewer it shares every core with the actor processes and Go's idle threads spin
 * looking for work, so one thread serves it better (`npm run bench` shows it there). Larger
 * machines were not measured, so there Go decides. `bus.serverThreads` and GOMAXPROCS override.
 */
export function natsServerThreads(cores = os.availableParallelism(), configured?: number): number | undefined {
  if (configured !== undefined) return configured;
  if (process.env.GOMAXPROCS) return Number(process.env.GOMAXPROCS);
  return cores <= 2 ? 1 : undefined;
}

/**
 * Starts nats-server on 127.0.0.1 with JetStream, its store under `dir`. Resolves once it
 * listens, with the port it chose.
 */
function threadsEnv(threads: number | undefined): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (threads === undefined) delete env.GOMAXPROCS;
  else env.GOMAXPROCS = String(threads);
  return env;
}

export function startNatsServer(options: NatsServerOptions): Promise<NatsServerHandle> {
  const binary = natsServerBinary();
  const storeDir = natsStoreDir(options.dir);
  makePrivateDir(storeDir);
  // -p -1 lets the server pick a free port itself, with no race between choosing and binding.
  const port = options.port ? String(options.port) : "-1";
  // A config file names JetStream's store itself (nats-server refuses it twice, and a revival
  // goes by the file); without one, the flags do.
  const jetstream = options.configFile ? ["-c", options.configFile] : ["-js", "-sd", storeDir];
  const launch = withParentDeathSignal(binary, ["-a", "127.0.0.1", "-p", port, ...jetstream, ...(options.monitorPort ? ["-m", String(options.monitorPort)] : [])]);
  // JetStream's store (events, KV values, files) is the hub's data: private to this user.
  const child = withPrivateUmask(() =>
    spawn(launch.command, launch.args, {
      stdio: ["ignore", "ignore", "pipe"],
      env: threadsEnv(natsServerThreads(undefined, options.threads)),
    }),
  );
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new UnavailableError(`nats-server did not start within ${options.readyTimeoutMs ?? 10_000} ms: ${output.slice(-500)}`));
    }, options.readyTimeoutMs ?? 10_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new UnavailableError(`nats-server could not be started: ${error.message}`, { cause: error }));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new UnavailableError(`nats-server exited (${code}) before listening: ${output.slice(-500)}`));
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      if (output.length < 20_000) output += chunk.toString();
      const match = LISTENING.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stderr!.removeAllListeners("data");
      child.stderr!.resume();
      // The start-up banner read so far first, then every later line.
      if (options.onLine) followLines(child.stderr!, options.onLine, output);
      resolve({
        url: `nats://127.0.0.1:${match[1]}`,
        pid: child.pid!,
        process: child,
        exited,
        stop: () => stopChild(child, exited),
      });
    });
  });
}

const MONITOR_PORT_TAKEN = /can't listen to the monitor port: .*address already in use/;

/**
 * Starts nats-server with its monitoring endpoint on a loopback port picked by `pickPort`.
 * nats-server picks its client port itself (`-p -1`) but not this one: a start whose picked port
 * another program took first ("can't listen to the monitor port") is tried again on another
 * (startOnPickedPort). Resolves with the server and the monitoring port it listens on.
 */
export function startMonitoredNatsServer(
  options: Omit<NatsServerOptions, "monitorPort">,
  pickPort: () => Promise<number> = freePort,
): Promise<{ server: NatsServerHandle; monitorPort: number }> {
  return startOnPickedPort(
    async (monitorPort) => ({ server: await startNatsServer({ ...options, monitorPort }), monitorPort }),
    (error) => MONITOR_PORT_TAKEN.test((error as Error).message),
    pickPort,
  );
}
