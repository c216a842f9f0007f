import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { ConflictError } from "../conflict-error.ts";
import { colour, print } from "../output.ts";
import { scaffoldFiles } from "../templates/new-hub.ts";

const FUSE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export function registerInitCommand(program: Command): void {
  program
    .command("init <dir>")
    .description("create a new hub: config, an actor with its test, a table schema, a task and a README")
    .option("--fuse <spec>", "how the new hub depends on Fuse (an npm spec)", `file:${FUSE_ROOT}`)
    .action((dir: string, options: { fuse: string }) => {
      const target = path.resolve(dir);
      if (existsSync(target) && readdirSync(target).length > 0) {
        throw new ConflictError(`${target} is not empty; fuse init creates a new hub in an empty or new folder`);
      }
      const files = scaffoldFiles({ name: path.basename(target), fuseSpec: options.fuse });
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
        writeFileSync(path.join(target, file), text);
      }
      print(`${colour.green("✓")} created a hub in ${target}:`);
      for (const file of Object.keys(files)) print(`  ${file}`);
      print(`\nNext:\n  cd ${path.relative(process.cwd(), target) || "."}\n  npm install\n  npm test          ${colour.dim("# the actor's own test")}\n  npx fuse up       ${colour.dim("# start the hub")}`);
    });
}
