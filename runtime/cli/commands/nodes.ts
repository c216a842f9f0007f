import type { Command } from "commander";
import { readState } from "../../hub/index.ts";
import { hubDir } from "../hub-dir.ts";
import { colour, formatDuration, print, printJson, table } from "../output.ts";
import { readNodes, type NodeView } from "./cluster-view.ts";
import type { ActorStatus } from "../../protocol/index.ts";

function statusCell(status: string): string {
  return status === "up" ? colour.green(status) : status === "lost" ? colour.red(status) : colour.dim(status);
}

/** `fuse nodes ls`: the nodes of the cluster this folder's hub is part of. */
export function registerNodesCommands(program: Command): void {
  const nodes = program.command("nodes").description("the nodes of the cluster this hub is part of");
  nodes
    .command("ls")
    .description("list nodes: name, route address, status (up, lost, stopped), actors, instances, load, leases held, last seen")
    .option("--json", "print a JSON array")
    .action(async (options: { json?: boolean }) => {
      const list = await readNodes(hubDir(program));
      if (options.json) return printJson(list.map(({ actorStatuses: _, ...node }) => node));
      const now = Date.now();
      print(
        table(
          ["NODE", "ADDRESS", "STATUS", "ACTORS", "INSTANCES", "LOAD", "LEASES", "LAST SEEN"],
          list.map((n) => [n.name, n.address, statusCell(n.status), String(n.actors), String(n.instances), n.load === null ? "-" : n.load.toFixed(2), n.leases.join(",") || "-", `${formatDuration(Math.max(0, now - n.lastSeen))} ago`]),
        ),
      );
    });
}

/** Whether the hub of `dir` is a cluster node: `fuse actors ls` then lists every node's instances. */
export function isClusterNode(dir: string): boolean {
  return Boolean(readState(dir)?.cluster);
}

/** Every live node's actors, one row per node and actor, for `fuse actors ls` on a cluster. */
export async function clusterActors(dir: string): Promise<(ActorStatus & { node: string })[]> {
  const list: NodeView[] = await readNodes(dir);
  return list.filter((n) => n.status === "up").flatMap((n) => n.actorStatuses.map((a) => ({ node: n.name, ...a })));
}

/**
 * The live nodes that run the actor (or, with `stopped`, merely have it), for `fuse actors
 * restart|stop|start` on a cluster; [undefined] (the hub that answers decides) when there is
 * none, so the hub says ACTOR_NOT_FOUND for a name nobody runs.
 */
export async function nodesRunning(dir: string, actor: string, stopped = false): Promise<(string | undefined)[]> {
  const runs = (a: ActorStatus) => a.name === actor && (stopped || a.desired > 0 || a.running > 0);
  const live = (await readNodes(dir)).filter((n) => n.status === "up" && n.actorStatuses.some(runs));
  return live.length ? live.map((n) => n.name) : [undefined];
}

export function clusterActorRows(actors: (ActorStatus & { node: string })[]): string[][] {
  return actors.map((a) => [a.node, a.builtin ? colour.dim(a.name) : a.name, `${a.running}/${a.desired}`, a.status, a.pids.join(",") || "-", formatDuration(a.uptimeMs), String(a.restarts)]);
}

export const CLUSTER_ACTOR_HEADERS = ["NODE", "ACTOR", "RUNNING", "STATUS", "PIDS", "UPTIME", "RESTARTS"];
