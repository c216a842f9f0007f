import { renameSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleModule, recordOf } from "../build/index.ts";

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "main.ts");

/**
 * Compiles the CLI into one ES module at `outfile` (with the build record `bin/fuse.mjs`
 * reads to tell whether it is still fresh). Started from it, `fuse` skips compiling
 * TypeScript on every start. Written under a temporary name and renamed, bundle
 * first, so that a `fuse` started meanwhile never loads half a file.
 */
export async function buildCliBundle(outfile: string): Promise<void> {
  const temporary = `${outfile}.${process.pid}.tmp.mjs`;
  try {
    await bundleModule({ entry: MAIN, outfile: temporary, what: "the fuse CLI" });
    renameSync(temporary, outfile);
    renameSync(recordOf(temporary), recordOf(outfile));
  } finally {
    rmSync(temporary, { force: true });
    rmSync(recordOf(temporary), { force: true });
  }
}
