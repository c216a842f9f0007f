import { chmodSync, mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * `.fuse/` holds what no other user of the machine may read: the state file (the bus address),
 * logs, the database, JetStream's store, backups. Folders are 0700 and files 0600, set
 * explicitly rather than left to the umask.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Writes `text` to `file` as 0600, beside it first and then renamed into place, so a reader
 * (another command, a server reading its config) never sees half a file.
 */
export function writePrivateFile(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: PRIVATE_FILE_MODE });
  chmodSync(tmp, PRIVATE_FILE_MODE);
  renameSync(tmp, file);
}

/** Creates `dir` (with its parents) and makes it 0700, also when it existed already. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

function closeUp(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    // Links are left alone: chmod would follow them out of the folder.
    if (entry.isDirectory()) {
      chmodSync(full, PRIVATE_DIR_MODE);
      closeUp(full);
    } else if (entry.isFile()) {
      chmodSync(full, PRIVATE_FILE_MODE);
    }
  }
}

/**
 * Makes a hub's `.fuse/` private before anything is written to it: the folder and its `logs/`
 * 0700, and whatever an earlier run (or an older Fuse) left in it closed up as well.
 */
export function preparePrivateFolder(fuseDir: string): void {
  makePrivateDir(fuseDir);
  // Folders that others (the log sinks, the bundler) would create with the umask's mode.
  for (const inner of ["logs", "build"]) makePrivateDir(path.join(fuseDir, inner));
  closeUp(fuseDir);
}

/**
 * Runs `start` (a spawn) with umask 077, so that what the child creates (sqld's database files,
 * JetStream's store) is private whatever the user's umask. A child takes the umask when it is
 * spawned, which is synchronous; the hub's own umask is restored at once.
 */
export function withPrivateUmask<T>(start: () => T): T {
  const before = process.umask(0o077);
  try {
    return start();
  } finally {
    process.umask(before);
  }
}
