import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Plugin } from "esbuild";
import { ConfigError } from "../errors/index.ts";
import { isFresh, recordOf, remember } from "./bundle-record.mjs";

/** Where esbuild writes a bundle's source map. */
const mapOf = (bundle: string) => `${bundle}.map`;

const RUNTIME_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..") + path.sep;

/**
 * Packages stay outside the bundle, but resolved now, from the importing file, to absolute
 * paths: the bundle then loads them natively from wherever it is written, and a module's own
 * dependencies resolve from its folder as they would without bundling.
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
      // A package shipped as TypeScript (Fuse itself, `fuse-hub/sdk`) is compiled in.
      if (/\.(m?ts|tsx)$/.test(resolved.path)) return { path: resolved.path };
      // Fuse's own imports of packages are all for their bindings, so one whose bindings this
      // bundle never uses is left out: an actor then does not load the hub's log rotation,
      // archiver, compiler or pretty-printer. A user's module may
      // import a package for its side effects, so its imports all stay.
      return { path: resolved.path, external: true, sideEffects: args.importer.startsWith(RUNTIME_DIR) ? false : undefined };
    });
  },
};

// The expression itself, not text that mentions it inside quotes.
const META = /(?<!["'`.\w])import\.meta\.(url|dirname|filename)\b(?!["'`])/;
const META_ALL = new RegExp(META.source, "g");

/**
 * Inside a bundle, `import.meta.url` would name the bundle; each source file gets its own
 * location back, so `new URL("./work.ts", import.meta.url)` still finds its neighbour.
 */
const ownLocation: Plugin = {
  name: "fuse-own-location",
  setup(b) {
    b.onLoad({ filter: /\.(m?ts|m?js|tsx)$/ }, async (args) => {
      // Other packages keep their import.meta; Fuse's own sources get theirs back wherever Fuse is installed.
      if (args.path.includes(`${path.sep}node_modules${path.sep}`) && !args.path.startsWith(RUNTIME_DIR)) return undefined;
      const source = await readFile(args.path, "utf8");
      if (!META.test(source)) return undefined;
      const values: Record<string, string> = {
        url: pathToFileURL(args.path).href,
        dirname: path.dirname(args.path),
        filename: args.path,
      };
      const contents = source.replace(META_ALL, (_m, key: string) => JSON.stringify(values[key]));
      const ext = path.extname(args.path).slice(1);
      return { contents, loader: ext === "tsx" ? "tsx" : ext.endsWith("ts") ? "ts" : "js" };
    });
  },
};

export interface BundleOptions {
  /** A module to compile… */
  entry?: string;
  /** …or source text, read as TypeScript in `resolveDir`. */
  source?: { contents: string; resolveDir: string; name: string };
  outfile: string;
  /** Names the module in error messages. */
  what: string;
}

/**
 * Compiles TypeScript (or JavaScript) and what it imports into one ES module that plain
 * node runs, with its source map beside it (`<bundle>.map`). Starting node on it skips a
 * TypeScript loader and most module resolution. A bundle whose sources are unchanged since it
 * was built is reused. It is written under a temporary name and renamed into place, map before
 * bundle before record, so a process that builds or starts the same bundle meanwhile (hubs
 * sharing the built-in actors' bundles) never reads half a file.
 * @throws CONFIG_INVALID naming the file and line when the code does not compile.
 */
export async function bundleModule(options: BundleOptions): Promise<string> {
  mkdirSync(path.dirname(options.outfile), { recursive: true });
  const key = JSON.stringify([options.entry, options.source]);
  if (isFresh(options.outfile, key)) return options.outfile;
  const temporary = `${options.outfile}.${process.pid}-${randomBytes(4).toString("hex")}.tmp.mjs`;
  try {
    // Loaded when a bundle is built, not with every process that could build one.
    const { build } = await import("esbuild");
    const result = await build({
      metafile: true,
      ...(options.entry ? { entryPoints: [options.entry] } : {}),
      ...(options.source
        ? { stdin: { contents: options.source.contents, resolveDir: options.source.resolveDir, sourcefile: options.source.name, loader: "ts" as const } }
        : {}),
      outfile: temporary,
      bundle: true,
      platform: "node",
      // Custom conditions leave out esbuild's default `module` (a bundler's condition): packages
      // stay external and Node loads them, so they must resolve to what Node itself picks. The
      // OpenTelemetry packages' `module` builds are not loadable by Node.
      conditions: ["node"],
      format: "esm",
      target: "node20",
      // Beside the bundle, without a comment that names it: Node would read and decode a map it
      // names as the module loads, at every start. The SDK maps stacks from it when one is
      // first printed (sdk/process/source-maps.mjs). Stacks need only the positions, not the
      // sources' text.
      sourcemap: "external",
      sourcesContent: false,
      logLevel: "silent",
      plugins: [externalPackages, ownLocation],
    });
    remember(temporary, key, Object.keys(result.metafile.inputs));
    // The map before the bundle: a process that starts the new bundle finds its map.
    renameSync(mapOf(temporary), mapOf(options.outfile));
    renameSync(temporary, options.outfile);
    renameSync(recordOf(temporary), recordOf(options.outfile));
  } catch (error) {
    const first = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}` : (options.entry ?? options.what);
    throw new ConfigError(`${where}: ${options.what} does not compile: ${first?.text ?? String(error)}`, {
      location: { file: first?.location?.file ?? options.entry, line: first?.location?.line },
      cause: error,
    });
  } finally {
    rmSync(temporary, { force: true });
    rmSync(mapOf(temporary), { force: true });
    rmSync(recordOf(temporary), { force: true });
  }
  return options.outfile;
}
