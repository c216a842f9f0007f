import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { UnavailableError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";

/** The dependencies an actor folder's package.json lists that its node_modules lacks. */
export function missingDependencies(folder: string): string[] {
  const manifest = path.join(folder, "package.json");
  if (!existsSync(manifest)) return [];
  const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { dependencies?: Record<string, string> };
  return Object.keys(pkg.dependencies ?? {}).filter((name) => !existsSync(path.join(folder, "node_modules", name, "package.json")));
}

/**
 * Runs `npm install` in an actor folder whose dependencies are missing, reporting each line
 * of npm's output as progress. Resolves when done; rejects with npm's last words on failure.
 */
export function installDependencies(actor: string, folder: string, log: Logger): Promise<void> {
  const missing = missingDependencies(folder);
  if (!missing.length) return Promise.resolve();
  log.info({ actor, missing }, "installing dependencies");
  return new Promise((resolve, reject) => {
    const npm = spawn("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel", "http"], { cwd: folder, stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    const progress = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n").filter((l) => l.trim())) {
        tail.push(line);
        if (tail.length > 5) tail.shift();
        log.info({ actor, npm: line.trim() }, "installing dependencies");
      }
    };
    npm.stdout.on("data", progress);
    npm.stderr.on("data", progress);
    npm.once("error", (error) => reject(new UnavailableError(`cannot run npm for actor "${actor}": ${error.message}`)));
    npm.once("exit", (code) => {
      if (code === 0) {
        log.info({ actor }, "dependencies installed");
        resolve();
      } else {
        reject(new UnavailableError(`npm install for actor "${actor}" in ${folder} failed (exit ${code}): ${tail.join(" | ")}`));
      }
    });
  });
}
