import type { Command } from "commander";
import { hubRunning, readState, startHub, stopLeftovers, type Hub } from "../../hub/index.ts";
import { createLineFormatter } from "../../log/index.ts";
import { colour, print } from "../output.ts";
import { summaryLines } from "./up-summary.ts";
import { hubDir } from "../hub-dir.ts";
import { ConflictError } from "../conflict-error.ts";
import { BuiltinActor } from "../../protocol/index.ts";

/**
 * Refuses a second hub in one folder, and stops the servers a killed hub left, each only if
 * it is still the process the state file recorded.
 */
async function checkNoHubRunning(dir: string): Promise<void> {
  const state = readState(dir);
  if (!state) return;
  if (hubRunning(state)) {
    throw new ConflictError(`a hub is already running in ${dir} (pid ${state.pid}); stop it with \`fuse down\``);
  }
  const stopped = await stopLeftovers(state);
  if (stopped.length) print(colour.dim(`stopped ${stopped.length} server(s) a killed hub left running (pids ${stopped.join(", ")})`));
}

async function printSummary(hub: Hub): Promise<void> {
  for (const line of summaryLines(hub.info, hub.readyMs, await hub.statuses(false))) print(line);
}

export function registerUpCommand(program: Command): void {
  program
    .command("up")
    .description("start the hub of this folder: nats-server, the database, the gateway and every actor")
    .option("-q, --quiet", "do not print the actors' log lines")
    .option("-w, --watch", "restart an actor (rolling) when its source changes")
    .option("--node <name>", "this host's node name in the cluster (over cluster.node in config/fuse.yaml)")
    .option("--join <seed>", "route address (host:port) of a running node to join, with cluster: in config/fuse.yaml; repeatable", (seed: string, seeds: string[]) => [...seeds, seed], [] as string[])
    .action(async (options: { quiet?: boolean; watch?: boolean; node?: string; join: string[] }) => {
      const dir = hubDir(program);
      await checkNoHubRunning(dir);
      const format = createLineFormatter({ colour: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR });
      let ready = false;
      // Signals are taken from the start: a Ctrl-C while actors are still starting stops
      // the hub once it is up, rather than killing it halfway and leaving servers behind.
      let stopRequested = false;
      let hubRef: Hub | undefined;
      const stop = () => {
        stopRequested = true;
        void hubRef?.stop();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      // A console that goes away (`fuse up | head`, a closed terminal) ends the hub like
      // Ctrl-C, servers and all; unhandled, the first write after it would kill the hub
      // outright and leave nats-server and sqld running.
      let consoleOpen = true;
      const consoleGone = (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE" && error.code !== "EIO") throw error;
        consoleOpen = false;
        stop();
      };
      process.stdout.on("error", consoleGone);
      process.stderr.on("error", consoleGone);
      const hub = await startHub({
        dir,
        watch: options.watch,
        ...(options.node || options.join.length ? { cluster: { ...(options.node ? { node: options.node } : {}), join: options.join } } : {}),
        // Before the summary only the hub's own lines (progress) and warnings show, so the
        // summary stays readable.
        onLine: options.quiet
          ? undefined
          : (actor, line) => {
              if (!consoleOpen) return;
              if (ready || actor === BuiltinActor.hub || /"level":(4|5|6)\d/.test(line)) process.stdout.write(`${format(line, actor)}\n`);
            },
      });
      hubRef = hub;
      try {
        if (stopRequested) void hub.stop();
        else await printSummary(hub);
      } catch (error) {
        // Never exit with the hub's servers left running.
        await hub.stop();
        throw error;
      }
      ready = true;
      await hub.stopped;
      print(colour.dim("hub stopped"));
      process.exit(0);
    });
}
