import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/** Whether a process with this PID is alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills the PIDs still alive (SIGKILL) and returns the ones that were. */
export function killLeftovers(pids: Iterable<number>): number[] {
  const alive = [...pids].filter(isAlive);
  for (const pid of alive) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  return alive;
}

/**
 * Whether process `pid` holds the socket listening on TCP `port`: the listening socket's inode
 * in its network namespace's table (/proc/<pid>/net/tcp, tcp6), found among its descriptors.
 */
export function listensOn(pid: number, port: number): boolean {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const LISTEN = "0A";
  const inodes = new Set(
    ["tcp", "tcp6"].flatMap((table) =>
      readFileSync(`/proc/${pid}/net/${table}`, "utf8")
        .split("\n")
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        .filter((cells) => cells[1]?.endsWith(hexPort) && cells[3] === LISTEN)
        .map((cells) => `socket:[${cells[9]}]`),
    ),
  );
  return readdirSync(`/proc/${pid}/fd`).some((fd) => {
    try {
      return inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      return false; // closed meanwhile
    }
  });
}
