import { readFileSync } from "node:fs";
import type { ProcessIdentity } from "../../protocol/index.ts";

/**
 * Who a pid is right now: its start time (clock ticks since boot, from /proc/<pid>/stat) and
 * its command line. A pid alone can be reused by an unrelated process once its owner dies;
 * the pair cannot. Undefined when no such process runs (or /proc is not there to ask).
 */
export function identify(pid: number): ProcessIdentity | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name in parentheses may itself hold spaces and parentheses: fields start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = fields[0];
    if (state === "Z" || state === "X") return undefined;
    const startTime = Number(fields[19]);
    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
    return { pid, startTime, command };
  } catch {
    return undefined;
  }
}

/** Whether the process recorded as `saved` still runs: same pid, same start time, same command line. */
export function isSameProcess(saved: ProcessIdentity): boolean {
  const now = identify(saved.pid);
  return now !== undefined && now.startTime === saved.startTime && now.command === saved.command;
}

/** Sends `signal` to the recorded process only if it is still that process; returns whether it did. */
export function signalIfSame(saved: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (!isSameProcess(saved)) return false;
  try {
    process.kill(saved.pid, signal);
    return true;
  } catch {
    return false;
  }
}
