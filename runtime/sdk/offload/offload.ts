import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Piscina } from "piscina";
import { ConfigError } from "../../errors/index.ts";
import { ProcessEnv } from "../../protocol/index.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => unknown;

/** A function exported by a module, to run on the worker pool with `ctx.offload`. */
export interface Work<TFn extends AnyFunction = AnyFunction> {
  readonly module: string;
  readonly name: string;
  /** Phantom: carries the function's type. */
  readonly fn?: TFn;
}

/**
 * Names a module's exported function for `ctx.offload`. The function stays an ordinary
 * export, callable directly too.
 *
 * @example
 * // work.ts: export function fib(n: number): number { … }
 * import type * as work from "../work.ts";
 * const fib = defineWork<typeof work.fib>(new URL("./work.ts", import.meta.url), "fib");
 * // in a handler: const result = await ctx.offload(fib, 35);
 */
export function defineWork<TFn extends AnyFunction>(module: string | URL, name: string): Work<TFn> {
  const url = String(module);
  if (!url.startsWith("file:")) throw new ConfigError(`defineWork: expected a file URL (new URL("./work.ts", import.meta.url)), got ${JSON.stringify(url)}`);
  return { module: url, name };
}

let pool: Promise<Piscina> | undefined;

function workers(): Promise<Piscina> {
  // One pool per process, sized to the machine, started (and its library loaded) on first use.
  pool ??= import("piscina").then(
    ({ Piscina }) =>
      new Piscina({
        filename: new URL("./offload-worker.mjs", import.meta.url).href,
        maxThreads: Math.max(1, os.availableParallelism() - 1),
        idleTimeout: 30_000,
      }),
  );
  return pool;
}

const compiled = new Map<string, Promise<string>>();

/**
 * The work module compiled to plain JavaScript (once per process): worker threads then load
 * it natively, whatever the actor was written in.
 */
function compile(module: string): Promise<string> {
  let done = compiled.get(module);
  if (!done) {
    const source = fileURLToPath(module);
    const hash = createHash("sha1").update(source).digest("hex").slice(0, 12);
    const dir = process.env[ProcessEnv.hubDir] ? path.join(process.env[ProcessEnv.hubDir]!, ".fuse", "build", "work") : path.join(os.tmpdir(), "fuse-work");
    // Loaded on first use: most actors never offload, and need no compiler at start.
    done = import("../../build/index.ts").then(({ bundleModule }) => bundleModule({ entry: source, outfile: path.join(dir, `${path.basename(source).replace(/\.\w+$/, "")}-${hash}.mjs`), what: `work module ${source}` })).then(
      (file) => pathToFileURL(file).href,
    );
    done.catch(() => compiled.delete(module));
    compiled.set(module, done);
  }
  return done;
}

/** Runs `work` with `args` on a worker thread and resolves with its result. */
export async function runOffloaded<TFn extends AnyFunction>(work: Work<TFn>, args: Parameters<TFn>): Promise<Awaited<ReturnType<TFn>>> {
  const module = await compile(work.module);
  return (await (await workers()).run({ module, name: work.name, args })) as Awaited<ReturnType<TFn>>;
}

/** Stops the pool's threads (when the actor stops). */
export async function stopOffloadPool(): Promise<void> {
  const current = pool;
  pool = undefined;
  await (await current)?.destroy();
}
