// CPU time of processes, read from /proc: on a shared machine what a call costs in CPU changes
// little with other people's load, while how many calls run a second changes a lot with it.
import { readFileSync } from "node:fs";

// /proc counts in USER_HZ ticks, 100 a second on Linux whatever the kernel's own rate.
const TICK_US = 10_000;

/** User and system CPU of `pid` so far, in µs; 0 once it is gone. */
export function cpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: the fields start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
  } catch {
    return 0;
  }
}

/** The command name of `pid` (`nats-server`, `node`), or "" once it is gone. */
export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/** Starts counting the CPU of each group of processes; `stop()` says how many µs each group used since. */
export function cpuMeter<TGroup extends string>(groups: Record<TGroup, number[]>): { stop(): Record<TGroup, number> } {
  const sum = () => Object.fromEntries(Object.entries<number[]>(groups).map(([group, pids]) => [group, pids.reduce((n, pid) => n + cpuMicros(pid), 0)])) as Record<TGroup, number>;
  const before = sum();
  return {
    stop() {
      const after = sum();
      return Object.fromEntries(Object.keys(groups).map((g) => [g, after[g as TGroup] - before[g as TGroup]])) as Record<TGroup, number>;
    },
  };
}
