// A copy of Fuse as it is right after `npm install`, for a cold start: its own bin/ and
// runtime/, and a node_modules whose packages link to this repository's but which has no
// .cache/ (where the CLI keeps the bundle it compiles on first use).
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BENCH_DIR, makeTempDir } from "./processes.ts";

const REPO = path.resolve(BENCH_DIR, "..");
const CACHES = new Set([".cache", ".vite", ".vite-temp"]);
const SDK_IMPORT = /(["'])(\.\.\/)+runtime\/sdk\/index\.ts\1/g;

/** Resolves with the folder of the copy; its CLI is `<copy>/bin/fuse.mjs`. */
export function freshInstall(): string {
  const dir = makeTempDir("install");
  for (const entry of ["bin", "runtime", "package.json", "tsconfig.json"]) cpSync(path.join(REPO, entry), path.join(dir, entry), { recursive: true });
  mkdirSync(path.join(dir, "node_modules"));
  for (const entry of readdirSync(path.join(REPO, "node_modules")).filter((e) => !CACHES.has(e))) {
    symlinkSync(path.join(REPO, "node_modules", entry), path.join(dir, "node_modules", entry));
  }
  return dir;
}

/** A temporary copy of the demo hub (config, actors, schemas, tasks) importing `install`'s SDK. */
export function copyDemoHub(install: string): string {
  const dir = makeTempDir("startup");
  for (const sub of ["config", "actors", "schemas", "tasks"].filter((s) => existsSync(path.join(REPO, s)))) {
    cpSync(path.join(REPO, sub), path.join(dir, sub), { recursive: true });
  }
  for (const actor of readdirSync(path.join(dir, "actors"))) {
    for (const file of readdirSync(path.join(dir, "actors", actor)).filter((f) => f.endsWith(".ts"))) {
      const full = path.join(dir, "actors", actor, file);
      writeFileSync(full, readFileSync(full, "utf8").replace(SDK_IMPORT, JSON.stringify(path.join(install, "runtime/sdk/index.ts"))));
    }
  }
  return dir;
}
