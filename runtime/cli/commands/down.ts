import type { Command } from "commander";
import { UnavailableError } from "../../errors/index.ts";
import { hubRunning, readState, removeState, stopLeftovers } from "../../hub/index.ts";
import { noHubError } from "../hub-client.ts";
import { hubDir } from "../hub-dir.ts";
import { colour, print } from "../output.ts";

async function waitForExit(pid: number, timeoutMs: number, stillRunning: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!stillRunning()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !stillRunning();
}

export function registerDownCommand(program: Command): void {
  program
    .command("down")
    .description("stop the hub of this folder: actors drain, then every process stops (or clean up after a killed hub)")
    .option("--timeout <ms>", "how long to wait for the hub to stop", "30000")
    .action(async (options: { timeout: string }) => {
      const dir = hubDir(program);
      const state = readState(dir);
      if (!state) throw noHubError(dir);
      if (!hubRunning(state)) {
        // A hub killed outright leaves its state file, and its servers when they could not be
        // tied to it: stop those that are still what was recorded, then forget the hub.
        const stopped = await stopLeftovers(state);
        removeState(dir, "force");
        const what = stopped.length ? `stopped ${stopped.length} server(s) it left (pids ${stopped.join(", ")})` : "nothing was left running";
        return print(`${colour.green("✓")} the hub (pid ${state.pid}) was not running; ${what}`);
      }
      process.kill(state.pid, "SIGTERM");
      if (await waitForExit(state.pid, Number(options.timeout), () => hubRunning(state))) {
        return print(`${colour.green("✓")} hub stopped ${colour.dim(`(pid ${state.pid})`)}`);
      }
      throw new UnavailableError(`the hub (pid ${state.pid}) did not stop within ${options.timeout} ms`);
    });
}
