import path from "node:path";
import type { FuseConfig } from "../../config/index.ts";
import { openRotatingLog, type Logger } from "../../log/index.ts";
import type { CleanupStack } from "../cleanup-stack.ts";
import { ADMIN_IDENTITY, HUB_IDENTITY, type BusIdentity } from "../../protocol/index.ts";
import { BusIdentities } from "./bus-identities.ts";
import { parseBusViolation } from "./bus-violations.ts";
import { natsStoreDir, startMonitoredNatsServer, startNatsServer } from "./nats-server.ts";
import { startSqld } from "./sqld.ts";
import { checkHubDatabase, finishRecovery } from "./db-recovery.ts";
import { superviseServer, type SupervisedServer } from "./supervised-server.ts";
import type { ClusterDatabase } from "../cluster/cluster-database.ts";
import type { DatabaseAuth } from "../../security/index.ts";

export interface HubServers {
  natsUrl: string;
  /** The database URL for people and other clients (HTTP). */
  dbUrl: string | undefined;
  /** The database URL the hub gives its actors. */
  actorDbUrl: string | undefined;
  /** The token that database wants, and the file it is in (a cluster's sqld); none for the hub's own on loopback. */
  dbAuth: DatabaseAuth | undefined;
  /** nats-server's monitoring endpoint (`http://127.0.0.1:<port>`) when the hub runs it with metrics on. */
  natsMonitorUrl: string | undefined;
  /** PIDs of the servers started here, for cleaning up after a hub that was killed. */
  pids(): number[];
  /** Since when the hub's own nats-server is down (epoch ms), while it is being revived. */
  busDownSince(): number | undefined;
  /**
   * The credential file of an identity made at start (the hub's, the admin's): its own on the
   * hub's server, `bus.creds` on an external one, or none.
   */
  credsFor(identity: BusIdentity): string | undefined;
  /** The credential file an identity connects with, made (or its rights issued anew) when needed. */
  grant(identity: BusIdentity): Promise<string | undefined>;
}

function portOf(url: string): number {
  return Number(new URL(url.replace(/^nats:/, "http:")).port);
}

/**
 * Starts nats-server and sqld side by side (unless `bus.url` / `db.url` name existing ones),
 * each supervised: revived at the same address with the same data. `onChange` hears of every
 * death and revival; each is stopped by `cleanups`.
 */
export async function startServers(
  config: FuseConfig,
  fuseDir: string,
  log: Logger,
  cleanups: CleanupStack,
  onChange?: () => void,
  /** The identities known at start (the config's actors and processes): made before the server starts. */
  known: BusIdentity[] = [],
  /** A cluster node: more of its nats-server's config (its name and routes) and the key its bus accounts derive from (hub/cluster). */
  cluster?: {
    natsConfig: Record<string, unknown>;
    busKey: Uint8Array;
    /** The cluster's one database (`db.node`): run here on its address, or only used here; with its token. */
    database?: { placed: ClusterDatabase; auth: DatabaseAuth } | undefined;
  },
): Promise<HubServers> {
  const shared = cluster?.database;
  // The hub's own sqld runs unless db.url names another server, or another node runs the cluster's.
  const runsSqld = !config.db.url && (!shared || shared.placed.runsHere);
  const sqldAt = shared ? { host: shared.placed.host, port: shared.placed.port, authKeyFile: shared.auth.publicKeyFile } : { port: config.db.port };
  const common = { log: log.child({ mod: "hub.servers" }), policy: config.restart, onChange };
  const natsDir = path.join(fuseDir, "nats");
  const sqldDir = path.join(fuseDir, "db");
  const sqldLog = log.child({ mod: "hub.sqld" });
  // Before anything starts: a corrupt database stops the hub here (or, with db.autoRestore, is
  // moved aside and its newest good backup restored once sqld runs on a fresh folder).
  const checkBegan = performance.now();
  const recovery = !runsSqld ? undefined : checkHubDatabase({ hubDir: path.dirname(fuseDir), sqldDir, autoRestore: config.db.autoRestore });
  if (runsSqld) sqldLog.info({ ms: Math.round(performance.now() - checkBegan), restored: Boolean(recovery) }, "database checked");
  // The hub's own server: only the identities the hub made may connect (configFile); its
  // revival reads the same file, so it keeps every identity made since.
  const identities = config.bus.url
    ? undefined
    : await BusIdentities.open({
        dir: natsDir,
        storeDir: natsStoreDir(natsDir),
        prefix: config.prefix,
        receipts: config.bus.receipts,
        ...(cluster ? { extra: cluster.natsConfig, clusterKey: cluster.busKey } : {}),
      });
  for (const identity of [...[HUB_IDENTITY, ADMIN_IDENTITY].map((name) => ({ name, role: "owner" as const })), ...known]) await identities?.ensure(identity);
  const configFile = identities?.configFile;
  const busLog = log.child({ mod: "hub.bus-auth" });
  // The server's own lines (routes, JetStream, cluster elections) in a rotating file of their
  // own, `.fuse/logs/nats-server.log`: what an operator reads when the bus misbehaves.
  const serverLog = identities ? openRotatingLog(path.join(fuseDir, "logs", "nats-server.log"), config.logging) : undefined;
  if (serverLog) cleanups.push(() => new Promise<void>((resolve) => serverLog.end(() => resolve())));
  // Every refusal is logged with the identity that tried: who asked is part of the record.
  const onLine = (line: string) => {
    serverLog?.write(`${line}\n`);
    const refused = parseBusViolation(line);
    if (!refused) return;
    const identity = refused.nkey ? (identities?.nameOf(refused.nkey) ?? "unknown") : undefined;
    busLog.warn({ ...refused, ...(identity ? { identity } : {}) }, refused.kind === "connect" ? "bus refused a client without a valid credential" : "bus refused a subject outside the identity's permissions");
  };
  // Monitoring on loopback only, for the metrics; a revived server keeps the port.
  // -m sets nats-server's HTTP monitoring port (the host is -a's loopback address).
  const monitored = config.metrics.enabled && !config.bus.url;
  let monitorPort: number | undefined;
  const natsOptions = { dir: natsDir, port: config.bus.port, threads: config.bus.serverThreads, configFile, onLine };
  const startNats = async () => {
    if (!monitored) return startNatsServer(natsOptions);
    const { server, monitorPort: port } = await startMonitoredNatsServer(natsOptions);
    monitorPort = port;
    return server;
  };
  const [natsResult, sqldResult] = await Promise.allSettled([
    config.bus.url
      ? undefined
      : superviseServer({
          ...common,
          name: "nats-server",
          start: startNats,
          restart: (first) => startNatsServer({ ...natsOptions, port: portOf(first.url), monitorPort }),
        }),
    !runsSqld
      ? undefined
      : superviseServer({
          ...common,
          name: "sqld",
          start: () => startSqld({ dir: sqldDir, ...sqldAt }),
          restart: (first) => startSqld({ dir: sqldDir, ...sqldAt, port: first.port }),
        }),
  ]);
  // One may have started while the other failed: it is stopped with the rest.
  const nats: SupervisedServer | undefined = natsResult.status === "fulfilled" ? natsResult.value : undefined;
  const sqld: SupervisedServer | undefined = sqldResult.status === "fulfilled" ? sqldResult.value : undefined;
  if (nats) cleanups.push(() => nats.stop());
  if (sqld) cleanups.push(() => sqld.stop());
  for (const result of [natsResult, sqldResult]) if (result.status === "rejected") throw result.reason;
  if (recovery && sqld) await finishRecovery(sqld.url, sqldDir, recovery, sqldLog, shared?.auth.token);
  const external = () => (config.bus.creds ? path.resolve(path.dirname(fuseDir), config.bus.creds) : undefined);
  return {
    natsUrl: config.bus.url ?? nats!.url,
    natsMonitorUrl: monitorPort ? `http://127.0.0.1:${monitorPort}` : undefined,
    dbUrl: config.db.url ?? (shared ? `http://${shared.placed.host}:${shared.placed.port}` : sqld!.url),
    // Actors talk to our own sqld over one WebSocket each: a request per statement over HTTP
    // costs far more round trips (see the db benchmark).
    actorDbUrl: config.db.url ?? (shared ? `ws://${shared.placed.host}:${shared.placed.port}` : sqld!.url.replace(/^http:/, "ws:")),
    dbAuth: shared?.auth,
    pids: () => [...(nats ? [nats.pid()] : []), ...(sqld ? [sqld.pid()] : [])],
    busDownSince: () => nats?.downSince(),
    credsFor: (identity) => (identities ? identities.credsFileOf(identity.name) : external()),
    grant: async (identity) => (identities ? identities.ensure(identity) : external()),
  };
}
