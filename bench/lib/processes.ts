import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bundleModule } from "../../runtime/build/index.ts";
import { bundleActor } from "../../runtime/hub/index.ts";

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface BenchProcess {
  child: ChildProcess;
  lines: string[];
  stderr(): string;
  /** The JSON after `TAG ` on the first line that starts with it, once printed. */
  tagged<T>(tag: string): T | undefined;
  waitFor<T>(tag: string, timeoutMs?: number): Promise<T>;
  /** Waits for a stdout line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Runs a bench script (TypeScript through tsx, or plain JS) as its own process. */
export function startScript(script: string, env: Record<string, string> = {}): BenchProcess {
  const file = path.resolve(BENCH_DIR, script);
  return startNode(file.endsWith(".ts") ? ["--import", TSX, file] : [file], script, env);
}

/**
 * Runs a Fuse script the way the hub runs its processes: compiled into one ES module that
 * plain node starts. Through tsx the same code is slower (it wraps every function it
 * creates to keep its name), which would misstate what users run.
 */
export async function startBundled(script: string, env: Record<string, string>, outDir: string): Promise<BenchProcess> {
  const entry = path.resolve(BENCH_DIR, script);
  const outfile = await bundleModule({ entry, outfile: path.join(outDir, `${path.basename(script, ".ts")}.mjs`), what: script });
  return startNode([outfile], script, env);
}

/** Runs an actor as the hub does (its bundle, the SDK's process loop) with `env` on top. */
export async function startActorBundle(name: string, module: string, env: Record<string, string>, outDir: string): Promise<BenchProcess> {
  const bundle = await bundleActor(name, path.resolve(BENCH_DIR, module), outDir);
  return startNode([bundle], `actor ${name}`, env);
}

/** Resolves with the process once it printed a line matching `pattern`. */
export async function ready(started: BenchProcess | Promise<BenchProcess>, pattern = /^READY$/): Promise<BenchProcess> {
  const p = await started;
  await p.waitForLine(pattern);
  return p;
}

function startNode(args: string[], script: string, env: Record<string, string>): BenchProcess {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
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
  child.stderr!.on("data", (d: Buffer) => {
    err = (err + d.toString()).slice(-5000);
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const tagged = <T>(tag: string): T | undefined => {
    const line = lines.find((l) => l === tag || l.startsWith(`${tag} `));
    if (line === undefined) return undefined;
    return (line === tag ? true : JSON.parse(line.slice(tag.length + 1))) as T;
  };
  return {
    child,
    lines,
    stderr: () => err,
    tagged,
    async waitFor<T>(tag: string, timeoutMs = 120_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const value = tagged<T>(tag);
        if (value !== undefined) return value;
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`${script} did not print ${tag}: ${err.slice(-1500)}`);
    },
    async waitForLine(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const line = lines.find((l) => pattern.test(l));
        if (line !== undefined) return line;
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`${script} printed no line matching ${pattern}: ${err.slice(-1500)}`);
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}
