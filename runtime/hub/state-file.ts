import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { STATE_FILE, type HubState } from "../protocol/index.ts";

/** Writes `.fuse/state.json` atomically, so readers never see half a file. */
export function writeState(hubDir: string, state: HubState): void {
  const file = path.join(hubDir, STATE_FILE);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
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

/** Removes the state file if it still belongs to this process. */
export function removeState(hubDir: string, pid = process.pid): void {
  if (readState(hubDir)?.pid === pid) rmSync(path.join(hubDir, STATE_FILE), { force: true });
}
