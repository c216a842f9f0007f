import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isAlive } from "./processes.ts";
import { createHubDir, removeHubDir, startHub, type RunningHub } from "./hub.ts";
import { waitFor } from "./wait-for.ts";

/**
 * A real hub with the `task-worker` fixture as `worker` and `tasks` written to `tasks/`;
 * resolves once the taskmaster serves every one of them.
 */
export async function startTaskHub(tasks: Record<string, unknown>, options: { config?: string } = {}): Promise<{ dir: string; hub: RunningHub }> {
  const dir = createHubDir({ actors: { worker: "task-worker" }, ...(options.config ? { config: options.config } : {}) });
  mkdirSync(path.join(dir, "tasks"));
  for (const [name, task] of Object.entries(tasks)) writeFileSync(path.join(dir, "tasks", `${name}.json`), JSON.stringify(task, null, 2));
  const hub = await startHub(dir);
  try {
    await waitFor("the taskmaster to serve every task", async () => {
      const { tasks: served } = await hub.call<{ tasks: unknown[] }>("taskmaster.list").catch(() => ({ tasks: [] }));
      return served.length === Object.keys(tasks).length;
    }, 60_000);
  } catch (error) {
    // The caller never gets the hub to stop: stop it here, with what it printed in the error.
    const output = hub.output().split("\n").slice(-20).join("\n");
    await hub.stop();
    removeHubDir(dir);
    throw new Error(`${(error as Error).message}\nlast lines of the hub:\n${output}`);
  }
  return { dir, hub };
}

/** kill -9 of the taskmaster; resolves once the hub serves a new one (its runs resumed, since it serves only after). */
export async function killTaskmaster(hub: RunningHub): Promise<void> {
  const [pid] = (await hub.actor("taskmaster")).pids;
  process.kill(pid!, "SIGKILL");
  await waitFor("the killed taskmaster to be gone", () => !isAlive(pid!));
  await waitFor("a new taskmaster to serve", async () => {
    const { pids } = await hub.actor("taskmaster");
    if (!pids.length || pids.includes(pid!)) return false;
    return hub.call("taskmaster.list", {}, { timeoutMs: 1000 }).then(() => true, () => false);
  }, 60_000);
}
