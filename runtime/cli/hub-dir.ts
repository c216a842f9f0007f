import path from "node:path";
import type { Command } from "commander";

/** The hub folder: `--dir` if given, else the current folder. */
export function hubDir(program: Command): string {
  return path.resolve((program.opts() as { dir?: string }).dir ?? process.cwd());
}
