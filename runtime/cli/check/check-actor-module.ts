import { spawn } from "node:child_process";
import path from "node:path";
import { bundleModule } from "../../build/index.ts";
import { FuseError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";

/** What loading an actor's module showed: its definition's name and endpoints, or why it cannot run. */
export type ActorModuleResult =
  | { ok: true; name: string; endpoints: string[] }
  | { ok: false; code: string; message: string; file?: string; line?: number };

const LOAD_TIMEOUT_MS = 15_000;

/**
 * The program the check runs per actor: it imports the module (a throw at load, or
 * defineActor refusing the definition, is caught here), finds the actor it exports as the hub's
 * process loop does, prints one JSON line and exits, so a module that leaves timers or sockets
 * open does not keep the check waiting.
 */
function loaderSource(modulePath: string): string {
  const notAnActor = `${modulePath}: the module does not export an actor (use \`export default defineActor({...})\`)`;
  return `
const MARK = Symbol.for("fuse.actor");
const isActor = (v) => typeof v === "object" && v !== null && MARK in v;
const report = (result) => process.stdout.write(JSON.stringify(result) + "\\n", () => process.exit(0));
import(${JSON.stringify(modulePath)}).then(
  (mod) => {
    const definition = isActor(mod.default) ? mod.default : Object.values(mod).find(isActor);
    if (!definition) return report({ ok: false, code: ${JSON.stringify(ErrorCode.CONFIG_INVALID)}, message: ${JSON.stringify(notAnActor)} });
    report({ ok: true, name: definition.name, endpoints: Object.keys(definition.endpoints ?? {}) });
  },
  (error) => {
    // A FuseError (defineActor's CONFIG_INVALID) keeps its code and message; anything else thrown at load is named as such.
    const fuse = typeof error?.code === "string" && typeof error?.retryable === "boolean";
    const text = error instanceof Error ? error.message : String(error);
    report({ ok: false, code: fuse ? error.code : ${JSON.stringify(ErrorCode.CONFIG_INVALID)}, message: fuse ? text : "throws while loading: " + text });
  },
);
`;
}

/**
 * Compiles an actor's module as the hub would (esbuild, into `outDir`), then loads it in a
 * child process of its own, so a module that crashes, exits or hangs at load is one problem in
 * the report, not the end of the check. Loading runs the module's top level: what it does
 * there (open a connection, read a file) happens during the check too.
 */
export async function checkActorModule(name: string, modulePath: string, outDir: string): Promise<ActorModuleResult> {
  let bundle: string;
  try {
    bundle = await bundleModule({
      source: { contents: loaderSource(modulePath), resolveDir: path.dirname(modulePath), name: `${name}.check.ts` },
      outfile: path.join(outDir, `${name}.check.mjs`),
      what: `actor "${name}"`,
    });
  } catch (error) {
    const fuse = error instanceof FuseError ? error : undefined;
    const location = (fuse?.details ?? {}) as { file?: string; line?: number };
    return { ok: false, code: fuse?.code ?? ErrorCode.CONFIG_INVALID, message: (error as Error).message, ...location };
  }
  return runLoader(bundle, path.dirname(modulePath));
}

function runLoader(bundle: string, cwd: string): Promise<ActorModuleResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundle], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), LOAD_TIMEOUT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((l) => l.startsWith("{"));
      if (line) return resolve(JSON.parse(line) as ActorModuleResult);
      // The module ended the process itself (process.exit, a crash in a callback) or hung.
      const how = signal === "SIGKILL" ? `did not finish loading within ${LOAD_TIMEOUT_MS / 1000} s` : signal ? `was killed by ${signal} while loading` : `exited with code ${code} while loading`;
      const tail = stderr.trim().split("\n").filter(Boolean).slice(-3).join(" | ");
      resolve({ ok: false, code: ErrorCode.CONFIG_INVALID, message: tail ? `${how}: ${tail}` : how });
    });
  });
}
