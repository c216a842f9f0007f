import type { Command } from "commander";
import { hubContract, type ActorStatus } from "../../protocol/index.ts";
import { callContract, withHub } from "../hub-client.ts";
import { hubDir } from "../hub-dir.ts";
import { colour, formatDuration, print, printJson, statusColour, table, withoutEmptyColumns } from "../output.ts";
import { ValidationError } from "../../errors/index.ts";
import { registerActorKeysCommand } from "./actor-keys.ts";
import { circuitsCell, refusedCell } from "./guard-cells.ts";
import { CLUSTER_ACTOR_HEADERS, clusterActorRows, clusterActors, isClusterNode, nodesRunning } from "./nodes.ts";


function actorRows(actors: ActorStatus[]): string[][] {
  return actors.map((a) => [
    a.builtin ? colour.dim(a.name) : a.kind === "process" ? `${a.name} ${colour.dim("(process)")}` : a.name,
    `${a.running}/${a.desired}`,
    statusColour(a.status),
    a.pids.join(",") || "-",
    formatDuration(a.uptimeMs),
    String(a.restarts),
    String(a.requests),
    a.errors ? colour.red(String(a.errors)) : "0",
    a.requests ? `${a.meanMs.toFixed(2)}ms` : "-",
    // Keys in memory per instance, for a keyed actor.
    a.keys === undefined ? "-" : a.instances.map((i) => i.keys ?? 0).join("+"),
    refusedCell(a),
    circuitsCell(a),
  ]);
}

function printActor(a: ActorStatus, json: boolean | undefined, verb: string): void {
  if (json) return printJson(a);
  const where = a.node ? ` on ${a.node}` : "";
  print(`${colour.green("✓")} ${a.name} ${verb}${where}: ${a.running}/${a.desired} ${statusColour(a.status)} ${colour.dim(`pids ${a.pids.join(",") || "-"}`)}`);
}

export function registerActorsCommands(program: Command): void {
  const actors = program.command("actors").description("list and control the actors of the running hub");
  actors
    .command("ls")
    .description("list actors: instances, status, pids, uptime, restarts, requests, errors, mean latency, keyed actors' keys in memory per instance, requests refused by bulkheads and open circuits, circuits not closed")
    .option("--json", "print a JSON array")
    .action(async (options: { json?: boolean }) => {
      // On a cluster: every live node's instances, with the node's name.
      if (isClusterNode(hubDir(program))) {
        const all = await clusterActors(hubDir(program));
        return options.json ? printJson(all) : print(table(CLUSTER_ACTOR_HEADERS, clusterActorRows(all)));
      }
      const { actors: list } = await withHub(hubDir(program), (call) => callContract(call, hubContract, "list", {}));
      if (options.json) return printJson(list);
      const headers = ["ACTOR", "RUNNING", "STATUS", "PIDS", "UPTIME", "RESTARTS", "REQUESTS", "ERRORS", "MEAN", "KEYS", "REFUSED", "CIRCUITS"];
      print(table(...withoutEmptyColumns(headers, actorRows(list), ["KEYS", "REFUSED", "CIRCUITS"])));
    });
  registerActorKeysCommand(actors, program);
  for (const [verb, endpoint, past] of [
    ["start", "start", "started"],
    ["stop", "stop", "stopped"],
    ["restart", "restart", "restarted"],
  ] as const) {
    actors
      .command(`${verb} <name>`)
      .description(`${verb} an actor${verb === "restart" ? " (rolling, one instance at a time)" : ""}`)
      .option("--node <node>", "on a cluster: this node's instances only (default: every node that runs the actor)")
      .option("--json", "print the actor's status as JSON (on a cluster without --node, an array with one per node)")
      .action(async (name: string, options: { json?: boolean; node?: string }) => {
        const dir = hubDir(program);
        const nodes = options.node === undefined && isClusterNode(dir) ? await nodesRunning(dir, name, verb === "start") : [options.node];
        const statuses = await withHub(dir, (call) =>
          // One node at a time: a rolling restart of the whole cluster keeps the other nodes' instances serving.
          nodes.reduce<Promise<ActorStatus[]>>(async (done, node) => [...(await done), await callContract(call, hubContract, endpoint, { name, ...(node ? { node } : {}) }, { timeoutMs: 120_000 })], Promise.resolve([])),
        );
        if (options.json) return printJson(nodes.length === 1 && nodes[0] === options.node ? statuses[0] : statuses);
        for (const status of statuses) printActor(status, false, past);
      });
  }
  actors
    .command("scale <name> <instances>")
    .description("set the number of instances of an actor")
    .option("--json", "print the actor's status as JSON")
    .action(async (name: string, count: string, options: { json?: boolean }) => {
      const instances = Number(count);
      if (!Number.isInteger(instances) || instances < 0) {
        throw new ValidationError(`instances: expected a whole number from 0, got ${JSON.stringify(count)}`);
      }
      const status = await withHub(hubDir(program), (call) => callContract(call, hubContract, "scale", { name, instances }, { timeoutMs: 120_000 }));
      printActor(status, options.json, "scaled");
    });
}
