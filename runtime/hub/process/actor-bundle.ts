import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleModule } from "../../build/index.ts";

const SDK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../sdk/internal.ts");

/**
 * Compiles an actor and the SDK's process loop into one ES module under `outDir`, which
 * plain node starts without compiling TypeScript on every start (tsx would).
 * @throws CONFIG_INVALID naming the file and line when the actor does not compile.
 */
export function bundleActor(name: string, modulePath: string, outDir: string): Promise<string> {
  // A dynamic import, which esbuild inlines: the module then runs inside the process loop, so
  // an exception while it loads is reported to the hub like any other start failure.
  const contents = [
    `import { runActorProcess } from ${JSON.stringify(SDK)};`,
    `runActorProcess(() => import(${JSON.stringify(modulePath)}), ${JSON.stringify(modulePath)});`,
  ].join("\n");
  return bundleModule({
    source: { contents, resolveDir: path.dirname(modulePath), name: `${name}.entry.ts` },
    outfile: path.join(outDir, `${name}.mjs`),
    what: `actor "${name}"`,
  });
}
