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
