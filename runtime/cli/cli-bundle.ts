import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleModule } from "../build/index.ts";

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "main.ts");

/**
 * Compiles the CLI into one ES module at `outfile` (with the build record `bin/fuse.mjs`
 * reads to tell whether it is still fresh). Started from it, `fuse` skips compiling
 * TypeScript on every start. bundleModule renames it into place, so a `fuse` started
 * meanwhile never loads half a file.
 */
export async function buildCliBundle(outfile: string): Promise<void> {
  await bundleModule({ entry: MAIN, outfile, what: "the fuse CLI" });
}
