import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
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
}

const MANIFEST = "manifest.json";

/**
 * Writes every log file (current and rotated) into one gzipped tar archive, with a small
 * `manifest.json`: when it was made, what it holds, and the facts given in `about`.
 */
export async function bundleLogs(options: LogBundleOptions): Promise<LogBundleResult> {
  const names = existsSync(options.logDir) ? readdirSync(options.logDir).filter((f) => f.endsWith(".log") || /\.log\.\d+/.test(f) || /-\d+-/.test(f)) : [];
  const files = names.map((name) => ({ name, bytes: statSync(path.join(options.logDir, name)).size }));
  const manifestPath = path.join(options.logDir, MANIFEST);
  writeFileSync(manifestPath, `${JSON.stringify({ createdAt: new Date().toISOString(), ...options.about, files }, null, 2)}\n`);
  try {
    // Loaded here: only this command archives, and every `fuse` start would pay for it.
    const { create } = await import("tar");
    await create({ gzip: true, file: options.out, cwd: options.logDir, portable: true }, [MANIFEST, ...names]);
  } finally {
    rmSync(manifestPath, { force: true });
  }
  return { file: options.out, files };
}
