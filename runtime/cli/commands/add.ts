import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { setConfigValue } from "../../config/index.ts";
import { UnavailableError, ValidationError } from "../../errors/index.ts";
import { hubDir } from "../hub-dir.ts";
import { colour, print } from "../output.ts";

interface ActorPackage {
  name: string;
  main?: string;
  fuse?: { actor?: string; name?: string };
}

function dependencies(dir: string): Record<string, string> {
  const file = path.join(dir, "package.json");
  return existsSync(file) ? ((JSON.parse(readFileSync(file, "utf8")) as { dependencies?: Record<string, string> }).dependencies ?? {}) : {};
}

/** The actor's entry module and name, from the package's `fuse` field (or its main). */
function actorOf(dir: string, pkgName: string): { name: string; module: string } {
  const root = path.join(dir, "node_modules", pkgName);
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as ActorPackage;
  const entry = pkg.fuse?.actor ?? pkg.main ?? "index.ts";
  if (!existsSync(path.join(root, entry))) {
    throw new ValidationError(`${pkgName}/package.json: the actor entry "${entry}" does not exist (set "fuse": { "actor": "<file>" })`);
  }
  const name = pkg.fuse?.name ?? pkgName.replace(/^@[^/]+\//, "").replace(/^fuse-actor-/, "");
  return { name, module: path.posix.join("node_modules", pkgName, entry) };
}

export function registerAddCommand(program: Command): void {
  program
    .command("add <package>")
    .description("install an actor package (npm name, local path or tarball) and register it in config/fuse.yaml")
    .option("--name <name>", "run it under this actor name")
    .option("--instances <n>", "instances to run", "1")
    .action((spec: string, options: { name?: string; instances: string }) => {
      const dir = hubDir(program);
      if (!existsSync(path.join(dir, "package.json"))) writeFileSync(path.join(dir, "package.json"), `${JSON.stringify({ private: true, type: "module" }, null, 2)}\n`);
      const before = dependencies(dir);
      const target = existsSync(path.resolve(spec)) ? path.resolve(spec) : spec;
      print(colour.dim(`npm install ${target}`));
      const npm = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", target], { cwd: dir, stdio: ["ignore", "inherit", "inherit"] });
      if (npm.status !== 0) throw new UnavailableError(`npm install ${spec} failed (exit ${npm.status})`);
      const added = Object.keys(dependencies(dir)).filter((name) => !(name in before));
      const pkgName = added[0] ?? Object.keys(dependencies(dir)).find((n) => dependencies(dir)[n]!.includes(spec));
      if (!pkgName) throw new ValidationError(`npm installed ${spec}, but no new dependency appeared in package.json`);
      const actor = actorOf(dir, pkgName);
      const name = options.name ?? actor.name;
      setConfigValue(dir, path.join("config", "fuse.yaml"), ["actors", name], { module: actor.module, instances: Number(options.instances) });
      print(`${colour.green("✓")} added actor ${colour.bold(name)} from ${pkgName} (${actor.module}); a running hub starts it now`);
    });
}
