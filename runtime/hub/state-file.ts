import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { STATE_FILE, type HubState, type ProcessIdentity } from "../protocol/index.ts";
import { identify, isSameProcess, signalIfSame } from "./process/index.ts";
import { makePrivateDir, writePrivateFile } from "./private-folder.ts";

/** Writes `.fuse/state.json` atomically, so readers never see half a file, and only this user may read it (it names the bus). */
export function writeState(hubDir: string, state: HubState): void {
  const file = path.join(hubDir, STATE_FILE);
  makePrivateDir(path.dirname(file));
  writePrivateFile(file, `${JSON.stringify(state, null, 2)}\n`);
}

export function readState(hubDir: string): HubState | undefined {
  const file = path.join(hubDir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as HubState;
  } catch {
    return undefined;
  }
}

/** Removes the state file if it still belongs to this process (or, with `force`, whoever wrote it). */
export function removeState(hubDir: string, pid: number | "force" = process.pid): void {
  if (pid === "force" || readState(hubDir)?.pid === pid) rmSync(path.join(hubDir, STATE_FILE), { force: true });
}

/** This hub and its servers, identified for whoever reads the state file later. */
export function identities(servicePids: number[]): NonNullable<HubState["processes"]> {
  const services = servicePids.map(identify).filter((p): p is ProcessIdentity => p !== undefined);
  const hub = identify(process.pid);
  return hub ? { hub, services } : { services };
}

/** Whether the hub a state file names still runs: the same process, not merely a process with its pid. */
export function hubRunning(state: HubState): boolean {
  if (state.processes?.hub) return isSameProcess(state.processes.hub);
  try {
    process.kill(state.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops the servers a dead hub left running, each only while it is still the process that was
 * recorded (an unrelated process that reused a pid is never touched): SIGTERM, then SIGKILL
 * after `graceMs`. Returns the pids it stopped.
 */
export async function stopLeftovers(state: HubState, graceMs = 5000): Promise<number[]> {
  const left = (state.processes?.services ?? []).filter((p) => signalIfSame(p, "SIGTERM"));
  const deadline = Date.now() + graceMs;
  while (left.some(isSameProcess) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const p of left) signalIfSame(p, "SIGKILL");
  return left.map((p) => p.pid);
}
