// Two `fuse up` nodes of one cluster on this machine: their nats-servers routed on 127.0.0.1
// (free ports, a shared secret), no network namespaces needed. Node a runs the gateway (or every
// node runs one, with `gateways: "every node"`) and the cluster's one database (db.node), which
// node b's processes use over 127.0.0.1 with its token.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { freePorts } from "../../runtime/hub/servers/ports.ts";
import type { ActorStatus } from "../../runtime/protocol/index.ts";
import { createHubDir, removeHubDir, startHub, type RunningHub } from "./hub.ts";
import { waitFor } from "./wait-for.ts";
import { isAlive } from "./processes.ts";

export const TWO_NODES = ["a", "b"] as const;
export type TwoNodeName = (typeof TWO_NODES)[number];

interface TwoNodeOptions {
  /** More files in each folder (as createHubDir's `files`). */
  files?: Record<string, string>;
  /** More keys of `db:` (`replica: true`). */
  db?: string;
  /** Where a gateway runs: on node a alone (the default) or on every node. */
  gateways?: "a" | "every node";
}

function nodeConfig(node: TwoNodeName, ports: Record<TwoNodeName | "db", number>, actors: string[], options: TwoNodeOptions): string {
  const other = node === "a" ? "b" : "a";
  return [
    `gateway: { enabled: ${node === "a" || options.gateways === "every node"} }`,
    `db: { node: a, address: "127.0.0.1:${ports.db}"${options.db ? `, ${options.db}` : ""} }`,
    "cluster:",
    "  name: ctl",
    `  node: ${node}`,
    `  listen: 127.0.0.1:${ports[node]}`,
    `  seeds: [127.0.0.1:${ports[other]}]`,
    "  secret: ${file:cluster.secret}",
    "actors:",
    // One instance of each on every node.
    ...actors.map((name) => `  ${name}: { placement: { perNode: 1 } }`),
  ].join("\n");
}

export interface TwoNodes {
  hub(node: TwoNodeName): RunningHub;
  /** The pids of `actor`'s instances per node, as node a's hub lists them. */
  pidsOf(actor: string): Promise<Record<string, number[]>>;
  /** Waits until each node runs one instance of `actor`; their pids per node. */
  oneOnEach(actor: string): Promise<Record<string, number[]>>;
  /** The host of `node` lost: its hub killed outright (SIGKILL), and every process it ran gone. */
  lose(node: TwoNodeName): Promise<void>;
  /** `fuse up` again in `node`'s folder (after `lose`). */
  restart(node: TwoNodeName): Promise<RunningHub>;
  stop(): Promise<void>;
}

/** Starts both nodes together (each waits for the other's JetStream) with the fixture actors given (name → fixture). */
export async function startTwoNodes(actors: Record<string, string>, options: TwoNodeOptions = {}): Promise<TwoNodes> {
  const [a, b, db] = (await freePorts(3)) as [number, number, number];
  const ports = { a, b, db };
  const secret = randomBytes(24).toString("hex");
  const dirs = TWO_NODES.map((node) => {
    const dir = createHubDir({ config: nodeConfig(node, ports, Object.keys(actors), options), actors, files: options.files ?? {} });
    writeFileSync(path.join(dir, "cluster.secret"), `${secret}\n`, { mode: 0o600 });
    return dir;
  });
  const started = await Promise.allSettled(dirs.map((dir) => startHub(dir, ["--quiet"])));
  const hubs = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const stop = async () => {
    await Promise.all(hubs.map((h) => h.stop().catch(() => undefined)));
    for (const dir of dirs) removeHubDir(dir);
  };
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await stop();
    throw (failed as PromiseRejectedResult).reason;
  }
  const hub = (node: TwoNodeName) => hubs[TWO_NODES.indexOf(node)]!;
  /** The actor's rows in the cluster's list, one per node. */
  const rowsOf = async (actor: string) => (await hub("a").call<{ actors: ActorStatus[] }>("hub.list")).actors.filter((a) => a.name === actor);
  const pidsByNode = (rows: ActorStatus[]) => Object.fromEntries(rows.map((a) => [a.node ?? "?", a.pids]));
  const pidsOf = async (actor: string) => pidsByNode(await rowsOf(actor));
  // Running, not only spawned: an instance reports ready once the server has its subscriptions
  // (one still starting, say making its database replica, has a pid and answers no request yet).
  const oneOnEach = (actor: string) =>
    waitFor(`one ${actor} running on each node`, async () => {
      const rows = await rowsOf(actor);
      const ready = TWO_NODES.every((n) => rows.some((a) => a.node === n && a.pids.length === 1 && a.instances.every((i) => i.status === "running")));
      return ready ? pidsByNode(rows) : undefined;
    }, 60_000);
  const lose = async (node: TwoNodeName) => {
    const lost = hub(node);
    // Its own processes: the cluster's list names each row's node (either hub may answer it).
    const { actors } = await lost.call<{ actors: ActorStatus[] }>("hub.list");
    const pids = [...actors.filter((a) => a.node === node).flatMap((a) => a.pids), ...lost.state.servicePids];
    lost.expectExit();
    lost.process.kill("SIGKILL");
    // Its children follow it (parent-death signal); sqld and nats-server drain first.
    await waitFor(`every process of node ${node} gone`, () => pids.every((pid) => !isAlive(pid)), 30_000).catch((error: Error) => {
      const left = pids.filter(isAlive).map((pid) => `${pid} ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").slice(0, 120)}`);
      throw new Error(`${error.message}; still running: ${left.join("; ")}`);
    });
  };
  const restart = async (node: TwoNodeName) => (hubs[TWO_NODES.indexOf(node)] = await startHub(dirs[TWO_NODES.indexOf(node)]!, ["--quiet"]));
  return { hub, pidsOf, oneOnEach, lose, restart, stop };
}
