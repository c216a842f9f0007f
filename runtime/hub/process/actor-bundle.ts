import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleModule } from "../../build/index.ts";

const RUNTIME_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SDK = path.join(RUNTIME_DIR, "sdk/internal.ts");

/**
 * Where the built-in actors' bundles go: one folder beside Fuse's own packages, shared by
 * every hub this copy of Fuse runs, since they are built from Fuse's sources alone (a new hub
 * folder then starts without compiling them, nor describing them, again). Undefined when
 * that folder cannot be written (a read-only install): each hub builds its own then.
 */
const sharedBuildDir: string | undefined = (() => {
  const dir = path.join(RUNTIME_DIR, "..", "node_modules", ".cache", "fuse", "actors");
  try {
    mkdirSync(dir, { recursive: true });
    return dir;
  } catch {
    return undefined;
  }
})();

/**
 * Whether `bundle` is a built-in actor's, in the folder every hub of this copy of Fuse shares:
 * built from Fuse's sources alone, the same for every hub folder.
 */
export function isSharedBundle(bundle: string): boolean {
  return sharedBuildDir !== undefined && path.dirname(path.resolve(bundle)) === sharedBuildDir;
}

/**
 * Compiles an actor and the SDK's process loop into one ES module under `outDir` (a built-in
 * actor's into the shared folder), which plain node starts without compiling TypeScript on
 * every start (tsx would).
 * @throws CONFIG_INVALID naming the file and line when the actor does not compile.
 */
export function bundleActor(name: string, modulePath: string, outDir: string): Promise<string> {
  const builtin = sharedBuildDir !== undefined && path.resolve(modulePath).startsWith(RUNTIME_DIR + path.sep);
  // A dynamic import, which esbuild inlines: the module then runs inside the process loop, so
  // an exception while it loads is reported to the hub like any other start failure.
  const contents = [
    `import { runActorProcess } from ${JSON.stringify(SDK)};`,
    `runActorProcess(() => import(${JSON.stringify(modulePath)}), ${JSON.stringify(modulePath)});`,
  ].join("\n");
  return bundleModule({
    source: { contents, resolveDir: path.dirname(modulePath), name: `${name}.entry.ts` },
    outfile: path.join(builtin ? sharedBuildDir : outDir, `${name}.mjs`),
    what: `actor "${name}"`,
  });
}
