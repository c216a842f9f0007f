import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { ConfigError } from "../../errors/index.ts";

const SDK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../sdk/index.ts");

/**
 * Packages stay outside the bundle, but resolved now, from the importing file, to absolute
 * paths: the bundle then loads them natively from wherever it is written, and an actor's own
 * dependencies resolve from the actor's folder as they would without bundling.
 */
const externalPackages: Plugin = {
  name: "fuse-external-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === "resolving" || args.path.startsWith("node:")) return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: "resolving",
      });
      if (resolved.errors.length) return { errors: resolved.errors };
      return { path: resolved.path, external: true };
    });
  },
};

/**
 * Compiles an actor and the SDK's process loop into one ES module under `outDir`. Starting
 * node on that file skips the TypeScript loader and module resolution at every start, which
 * is most of an actor's start-up time.
 * @throws CONFIG_INVALID naming the file and line when the actor does not compile.
 */
export async function bundleActor(name: string, modulePath: string, outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, `${name}.mjs`);
  // A dynamic import, which esbuild inlines: the module then runs inside the process loop, so
  // an exception while it loads is reported to the hub like any other start failure.
  const entry = [
    `import { runActorProcess } from ${JSON.stringify(SDK)};`,
    `runActorProcess(() => import(${JSON.stringify(modulePath)}), ${JSON.stringify(modulePath)});`,
  ].join("\n");
  try {
    await build({
      stdin: { contents: entry, resolveDir: path.dirname(modulePath), sourcefile: `${name}.entry.ts`, loader: "ts" },
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      sourcemap: "inline",
      logLevel: "silent",
      plugins: [externalPackages],
    });
  } catch (error) {
    const first = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}` : modulePath;
    throw new ConfigError(`${where}: actor "${name}" does not compile: ${first?.text ?? String(error)}`, {
      location: { file: first?.location?.file ?? modulePath, line: first?.location?.line },
      cause: error,
    });
  }
  return outfile;
}
