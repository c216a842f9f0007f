import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { UnavailableError } from "../errors/index.ts";

/** A tarball of this Fuse (`npm pack`), kept in a cache so the next `fuse init` reuses it. */
export interface PackedFuse {
  file: string;
  name: string;
  version: string;
  /** True when the cached tarball was reused because no packed file changed. */
  reused: boolean;
}

interface PackageJson {
  name: string;
  version: string;
  files?: string[];
}

// npm always packs these, whatever "files" says.
const ALWAYS = ["package.json", "README.md", "LICENSE"];

function walk(root: string, rel: string, out: string[]): void {
  const full = path.join(root, rel);
  if (!existsSync(full)) return;
  if (!statSync(full).isDirectory()) {
    out.push(rel);
    return;
  }
  for (const entry of readdirSync(full)) {
    if (entry !== "node_modules" && entry !== ".git") walk(root, path.join(rel, entry), out);
  }
}

/**
 * A digest of every file `npm pack` would take (package.json "files" and npm's fixed ones):
 * the cache key. It may take a file npm leaves out; that only costs a needless repack.
 */
export function packDigest(root: string, pkg: PackageJson): string {
  const files: string[] = [];
  for (const entry of [...ALWAYS, ...(pkg.files ?? ["."])]) walk(root, entry.replace(/\/+$/, ""), files);
  const hash = createHash("sha256");
  for (const rel of [...new Set(files)].sort()) {
    hash.update(rel.split(path.sep).join("/")).update("\0").update(readFileSync(path.join(root, rel))).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

/** The folder that keeps packed tarballs: Fuse's own node_modules cache, or the temp folder if that is read-only. */
function cacheDir(root: string): string {
  for (const dir of [path.join(root, "node_modules/.cache/fuse/pack"), path.join(os.tmpdir(), "fuse-pack-cache")]) {
    try {
      mkdirSync(dir, { recursive: true });
      return dir;
    } catch {
      // read-only: try the next one
    }
  }
  throw new UnavailableError(`cannot create a cache folder for the Fuse tarball under ${root}/node_modules or ${os.tmpdir()}`);
}

/** Packs the Fuse package at `root` with `npm pack`, or reuses the tarball of an unchanged source. */
export function packFuse(root: string): PackedFuse {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as PackageJson;
  const dir = cacheDir(root);
  const stem = `${pkg.name}-${pkg.version}-`;
  const file = path.join(dir, `${stem}${packDigest(root, pkg)}.tgz`);
  if (existsSync(file)) return { file, name: pkg.name, version: pkg.version, reused: true };

  const work = mkdtempSync(path.join(dir, "packing-"));
  try {
    // --ignore-scripts: packing must not run a prepack/prepare script of the source.
    const npm = spawnSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: root, encoding: "utf8", timeout: 120_000 });
    if (npm.status !== 0) {
      throw new UnavailableError(`npm pack in ${root} failed (exit ${npm.status ?? npm.signal ?? npm.error?.message}): ${(npm.stderr ?? "").trim().split("\n").slice(-5).join("\n")}`);
    }
    const packed = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (!packed) throw new UnavailableError(`npm pack in ${root} wrote no tarball to ${work}`);
    // Older tarballs of this version are stale now: keep the cache to one per version.
    for (const old of readdirSync(dir).filter((f) => f.startsWith(stem) && f.endsWith(".tgz"))) rmSync(path.join(dir, old), { force: true });
    renameSync(path.join(work, packed), file);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { file, name: pkg.name, version: pkg.version, reused: false };
}
