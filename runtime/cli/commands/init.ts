import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { ConflictError } from "../conflict-error.ts";
import { colour, print } from "../output.ts";
import { packFuse } from "../pack-fuse.ts";
import { scaffoldFiles } from "../templates/new-hub.ts";

const FUSE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

// The hub's own dev tools, at the versions Fuse itself is checked with (its SDK is TypeScript
// source, type-checked by the hub's tsc); these stand in if Fuse's package.json lacks one.
const DEV_TOOLS: Record<string, string> = { "@types/node": "^20.19.0", typescript: "~5.9.3", vitest: "^3.2.4" };

function devDependencies(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(FUSE_ROOT, "package.json"), "utf8")) as { devDependencies?: Record<string, string> };
  return Object.fromEntries(Object.entries(DEV_TOOLS).map(([name, fallback]) => [name, pkg.devDependencies?.[name] ?? fallback]));
}

/**
 * The hub's fuse-hub dependency. By default a packed copy of this Fuse under vendor/, named by a
 * path relative to the hub, so the hub can be committed and installed anywhere from its own
 * files; `--fuse <spec>` names any npm spec instead (a published version, say).
 */
function fuseDependency(target: string, spec: string | undefined): { spec: string; note: string; files: string[] } {
  if (spec) return { spec, note: `fuse-hub: ${spec}`, files: [] };
  const packed = packFuse(FUSE_ROOT);
  const vendored = `vendor/${packed.name}-${packed.version}.tgz`;
  mkdirSync(path.join(target, "vendor"), { recursive: true });
  copyFileSync(packed.file, path.join(target, vendored));
  return { spec: `file:${vendored}`, note: `fuse-hub ${packed.version}: packed from ${FUSE_ROOT}${packed.reused ? " (unchanged, reused)" : ""}`, files: [vendored] };
}

export function registerInitCommand(program: Command): void {
  program
    .command("init <dir>")
    .description("create a new hub you can commit and share: config, an actor with its test, a table, a task, tsconfig, a README and Fuse packed under vendor/")
    .option("--fuse <spec>", "depend on Fuse by this npm spec (e.g. fuse-hub@^0.1.0) instead of a packed copy under vendor/")
    .action((dir: string, options: { fuse?: string }) => {
      const target = path.resolve(dir);
      if (existsSync(target) && readdirSync(target).length > 0) {
        throw new ConflictError(`${target} is not empty; fuse init creates a new hub in an empty or new folder`);
      }
      mkdirSync(target, { recursive: true });
      const fuse = fuseDependency(target, options.fuse);
      const files = scaffoldFiles({ name: path.basename(target), fuseSpec: fuse.spec, devDependencies: devDependencies() });
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
        writeFileSync(path.join(target, file), text);
      }
      print(`${colour.green("✓")} created a hub in ${target}:`);
      for (const file of [...Object.keys(files), ...fuse.files]) print(`  ${file}`);
      print(colour.dim(fuse.note));
      print(
        `\nNext:\n  cd ${path.relative(process.cwd(), target) || "."}\n  npm install\n  npm test          ${colour.dim("# the actor's own test")}\n  npm run check     ${colour.dim("# type-check and check the hub without starting it")}\n  npm start         ${colour.dim("# start the hub")}\n  git init && git add . ${colour.dim("# vendor/ included: the hub installs from its own files")}`,
      );
    });
}
