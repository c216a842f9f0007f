// Every process a benchmark starts goes through here: compiled into one ES module by the
// same esbuild step the hub uses for actors, then run on plain node, whichever system it
// belongs to (Fuse, raw nats.js, Hono, Moleculer, the load generators). Through a TypeScript
// loader such as tsx the same code is slower (it wraps every function it creates to keep its
// name), which would tilt the comparison towards whoever skipped it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import type { Readable } from "node:stream";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleModule } from "../../runtime/build/index.ts";
import { bundleActor } from "../../runtime/hub/index.ts";

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface BenchProcess {
  child: ChildProcess;
  lines: string[];
  stderr(): string;
  /** The JSON after `TAG ` on the first line that starts with it, once printed. */
  tagged<T>(tag: string): T | undefined;
  waitFor<T>(tag: string, timeoutMs?: number): Promise<T>;
  /** Waits for a stdout line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

interface Stoppable {
  stop(): Promise<void>;
}

/** Everything started and not yet stopped, so an interrupted bench still stops it all. */
const live = new Set<Stoppable>();
/** Temporary folders not yet removed, for the same reason. */
const tempDirs = new Set<string>();

/** A new temporary folder, removed by `removeTempDir` or else by `stopAll`. */
export function makeTempDir(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `fuse-bench-${name}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Registers a server handle (nats-server, sqld, a hub) so that `stopAll` stops it too. */
export function tracked<T extends Stoppable>(handle: T): T {
  const stop = handle.stop.bind(handle);
  handle.stop = async () => {
    live.delete(handle);
    await stop();
  };
  live.add(handle);
  return handle;
}

/** Runs a bench script (TypeScript or JavaScript, relative to bench/) bundled, on plain node. */
export async function startBundled(script: string, env: Record<string, string>, outDir: string): Promise<BenchProcess> {
  const entry = path.resolve(BENCH_DIR, script);
  const name = `${script.replace(/\.[cm]?[jt]s$/, "").replaceAll("/", "-")}.mjs`;
  const outfile = await bundleModule({ entry, outfile: path.join(outDir, name), what: script });
  return startNode(outfile, script, env, false);
}

/** Runs an actor as the hub does (its bundle, the SDK's process loop) with `env` on top. */
export async function startActorBundle(name: string, module: string, env: Record<string, string>, outDir: string): Promise<BenchProcess> {
  const bundle = await bundleActor(name, path.resolve(BENCH_DIR, module), outDir);
  return startNode(bundle, `actor ${name}`, env, true);
}

/** Resolves with the process once it printed a line matching `pattern`. */
export async function ready(started: BenchProcess | Promise<BenchProcess>, pattern = /^READY$/): Promise<BenchProcess> {
  const p = await started;
  try {
    await p.waitForLine(pattern);
  } catch (error) {
    await p.stop();
    throw error;
  }
  return p;
}

/** Stops whatever is still running: for the orchestrator's last `finally`, and on a signal. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop()));
  for (const dir of tempDirs) removeTempDir(dir);
}

function until<T>(what: () => T | undefined, child: ChildProcess, timeoutMs: number, failure: () => string): Promise<T> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const check = () => {
      const value = what();
      if (value !== undefined) return resolve(value);
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) return reject(new Error(failure()));
      setTimeout(check, 25);
    };
    check();
  });
}

/**
 * Plain node for every process, whoever's it is, as the hub starts its actors. An actor also
 * gets the hub's status pipe (fd 3), so it runs its heartbeat watchdog as under `fuse up`.
 */
function startNode(file: string, script: string, env: Record<string, string>, statusPipe: boolean): BenchProcess {
  const stdio = statusPipe ? ["ignore", "pipe", "pipe", "pipe"] : ["ignore", "pipe", "pipe"];
  // BENCH_PROFILE=<dir>: each process writes a CPU profile there when it exits.
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, file], { env: { ...process.env, ...env }, stdio: stdio as ("ignore" | "pipe")[] });
  (child.stdio[3] as Readable | undefined)?.resume();
  const lines: string[] = [];
  let buffer = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => {
    buffer += d.toString();
    let i: number;
    while ((i = buffer.indexOf("\n")) >= 0) {
      lines.push(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
    }
  });
  child.stderr!.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-5000)));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const tagged = <T>(tag: string): T | undefined => {
    const line = lines.find((l) => l === tag || l.startsWith(`${tag} `));
    if (line === undefined) return undefined;
    return (line === tag ? true : JSON.parse(line.slice(tag.length + 1))) as T;
  };
  return tracked<BenchProcess>({
    child,
    lines,
    stderr: () => err,
    tagged,
    waitFor: (tag, timeoutMs = 120_000) => until(() => tagged(tag), child, timeoutMs, () => `${script} did not print ${tag}: ${err.slice(-1500)}`),
    waitForLine: (pattern, timeoutMs = 60_000) => until(() => lines.find((l) => pattern.test(l)), child, timeoutMs, () => `${script} printed no line matching ${pattern}: ${err.slice(-1500)}`),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    },
  });
}
