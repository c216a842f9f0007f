import type { Command } from "commander";
import { readHubState } from "../hub-client.ts";
import { hubDir } from "../hub-dir.ts";
import { colour, print } from "../output.ts";
import { UnavailableError } from "../../errors/index.ts";

export function registerDownCommand(program: Command): void {
  program
    .command("down")
    .description("stop the hub of this folder: actors drain, then every process stops")
    .option("--timeout <ms>", "how long to wait for the hub to stop", "30000")
    .action(async (options: { timeout: string }) => {
      const dir = hubDir(program);
      const state = readHubState(dir);
      process.kill(state.pid, "SIGTERM");
      const deadline = Date.now() + Number(options.timeout);
      while (Date.now() < deadline) {
        try {
          process.kill(state.pid, 0);
        } catch {
          print(`${colour.green("✓")} hub stopped ${colour.dim(`(pid ${state.pid})`)}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new UnavailableError(`the hub (pid ${state.pid}) did not stop within ${options.timeout} ms`);
    });
}
