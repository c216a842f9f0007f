import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface LogBundleOptions {
  /** The folder of log files (`.fuse/logs`). */
  logDir: string;
  /** Path of the archive to write (`.tar.gz`). */
  out: string;
  /** Extra facts for the manifest (hub pid, URLs, version…). */
  about?: Record<string, unknown>;
}

export interface LogBundleResult {
  file: string;
  files: { name: string; bytes: number }[];
  /** Files listed that were gone (rotated away) by the time they were copied. */
  gone: string[];
}

const MANIFEST = "manifest.json";

/**
 * Writes every log file (current and rotated) into one gzipped tar archive, with a small
 * `manifest.json`: when it was made, what it holds, and the facts given in `about`.
 */
export async function bundleLogs(options: LogBundleOptions): Promise<LogBundleResult> {
  const names = existsSync(options.logDir) ? readdirSync(options.logDir).filter((f) => f.endsWith(".log") || /\.log\.\d+/.test(f) || /-\d+-/.test(f)) : [];
  // A running hub appends to its logs and rotates them, and tar fails the whole archive when a
  // file grows while it is read or is gone by then: each file is copied first, as it is then,
  // beside the logs (in the hub's private folder, as they are).
  const snapshot = mkdtempSync(path.join(path.dirname(path.resolve(options.logDir)), "log-bundle-"));
  try {
    const files: LogBundleResult["files"] = [];
    const gone: string[] = [];
    for (const name of names) {
      try {
        copyFileSync(path.join(options.logDir, name), path.join(snapshot, name));
        files.push({ name, bytes: statSync(path.join(snapshot, name)).size });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        gone.push(name);
      }
    }
    writeFileSync(path.join(snapshot, MANIFEST), `${JSON.stringify({ createdAt: new Date().toISOString(), ...options.about, files, ...(gone.length ? { gone } : {}) }, null, 2)}\n`);
    // Loaded here: only this command archives, and every `fuse` start would pay for it.
    const { create } = await import("tar");
    await create({ gzip: true, file: options.out, cwd: snapshot, portable: true }, [MANIFEST, ...files.map((f) => f.name)]);
    return { file: options.out, files, gone };
  } finally {
    rmSync(snapshot, { recursive: true, force: true });
  }
}
