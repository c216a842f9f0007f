import { readdirSync, rmSync } from "node:fs";
import path from "node:path";

/**
 * The files of one replica: `<actor>-<pid>-<n>.db` and the companions libSQL keeps beside it
 * (`-wal`, `-shm`, `-info`, `-client_wal_index`). A replica is a copy made again from the
 * primary at any time, so it lives as long as its database: removed when the process closes it,
 * and, when a process was killed, by the next replica opened in the same folder. `n` counts the
 * process's replicas: one closed a moment ago may still be releasing its files (its sync thread
 * writes the wal index while it stops), and a new one of the same name then found a database
 * without its wal index and could not sync.
 */
const REPLICA_FILE = /^(.+)-(\d+)-\d+\.db(?:-.+)?$/;
let made = 0;

export function replicaFile(dir: string, actor: string, pid = process.pid): string {
  return path.join(dir, `${actor.replace(/[^a-zA-Z0-9_.]/g, "_")}-${pid}-${made++}.db`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes one replica's file and its companions. */
export function removeReplica(file: string): void {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (name === base || name.startsWith(`${base}-`)) rmSync(path.join(dir, name), { force: true, recursive: true });
}

/** Removes the replicas of processes that no longer run (killed before they could remove their own). */
export function removeOrphanReplicas(dir: string): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const match = REPLICA_FILE.exec(name);
    if (!match || Number(match[2]) === process.pid || alive(Number(match[2]))) continue;
    rmSync(path.join(dir, name), { force: true, recursive: true });
    removed++;
  }
  return removed;
}
