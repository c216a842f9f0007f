import path from "node:path";
import type { FuseConfig } from "../../config/index.ts";
import type { Logger } from "../../log/index.ts";
import type { CleanupStack } from "../cleanup-stack.ts";
import { ADMIN_IDENTITY, HUB_IDENTITY, type BusIdentity } from "../../protocol/index.ts";
import { BusIdentities } from "./bus-identities.ts";
import { parseBusViolation } from "./bus-violations.ts";
import { natsStoreDir, startNatsServer } from "./nats-server.ts";
import { startSqld } from "./sqld.ts";
import { superviseServer, type SupervisedServer } from "./supervised-server.ts";

export interface HubServers {
  natsUrl: string;
  /** The database URL for people and other clients (HTTP). */
  dbUrl: string | undefined;
  /** The database URL the hub gives its actors. */
  actorDbUrl: string | undefined;
  /** PIDs of the servers started here, for cleaning up after a hub that was killed. */
  pids(): number[];
  /** Since when the hub's own nats-server is down (epoch ms), while it is being revived. */
  busDownSince(): number | undefined;
  /**
   * The credential file an identity connects with: its own seed on the hub's server (made,
   * and the server reloaded, the first time), `bus.creds` on an external one, or none.
   */
  credsFor(identity: BusIdentity): string | undefined;
  /** `credsFor`, resolved once the running server has the identity's rights (its uses included). */
  grant(identity: BusIdentity): Promise<string | undefined>;
}

/** How long a grant waits for the server to say it read its config again; past it the process starts anyway. */
const RELOAD_TIMEOUT_MS = 5000;
const RELOADED = /Reloaded server configuration|Failed to reload/;

/**
 * A credential per identity on the hub's own server. A new identity, or new rights of a
 * known one, is written to the server's config, which the running server then reads again
 * (SIGHUP); `grant` resolves once it has (its "Reloaded" line), one reload at a time, so a
 * process never starts before its rights.
 */
function ownBusCreds(identities: BusIdentities, server: () => SupervisedServer | undefined) {
  let waiting: (() => void) | undefined;
  let chain: Promise<void> = Promise.resolve();
  // A reload asked for but not signalled yet reads every change made until it is: later asks join it.
  let next: Promise<void> | undefined;
  const requestReload = (): Promise<void> => {
    if (!next) {
      const queued = chain.then(() => {
        next = undefined;
        return reload();
      });
      next = queued;
      chain = queued;
    }
    return next;
  };
  const reload = (): Promise<void> => {
    const nats = server();
    if (!nats || nats.downSince() !== undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), RELOAD_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        waiting = undefined;
        resolve();
      };
      waiting = done;
      try {
        process.kill(nats.pid(), "SIGHUP");
      } catch {
        // Down right now: its revival reads the new config.
        done();
      }
    });
  };
  const ensure = (identity: BusIdentity): { credsFile: string; reloaded: Promise<void> } => {
    const { credsFile, added } = identities.ensure(identity);
    return { credsFile, reloaded: added ? requestReload() : chain };
  };
  return {
    // The new process's connect retries until the server has read it (connectNats).
    credsFor: (identity: BusIdentity): string => ensure(identity).credsFile,
    grant: async (identity: BusIdentity): Promise<string> => {
      const { credsFile, reloaded } = ensure(identity);
      await reloaded;
      return credsFile;
    },
    onLine: (line: string) => {
      if (RELOADED.test(line)) waiting?.();
    },
  };
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
  /** The identities known at start (the config's actors and processes): made before the server starts, so it needs no reload for them. */
  known: BusIdentity[] = [],
  /** More of the own nats-server's config: a cluster node's name and routes (hub/cluster). */
  natsExtra?: Record<string, unknown>,
): Promise<HubServers> {
  const common = { log: log.child({ mod: "hub.servers" }), policy: config.restart, onChange };
  const natsDir = path.join(fuseDir, "nats");
  const sqldDir = path.join(fuseDir, "db");
  // The hub's own server: only the identities the hub made may connect (configFile); its
  // revival reads the same file, so it keeps every identity made since.
  const identities = config.bus.url ? undefined : new BusIdentities({ dir: natsDir, storeDir: natsStoreDir(natsDir), prefix: config.prefix, receipts: config.bus.receipts, ...(natsExtra ? { extra: natsExtra } : {}) });
  for (const name of [HUB_IDENTITY, ADMIN_IDENTITY]) identities?.ensure({ name, role: "owner" });
  for (const identity of known) identities?.ensure(identity);
  const configFile = identities?.configFile;
  const busLog = log.child({ mod: "hub.bus-auth" });
  let nats: SupervisedServer | undefined;
  const own = identities ? ownBusCreds(identities, () => nats) : undefined;
  // Every refusal is logged with the identity that tried: who asked is part of the record.
  const onLine = (line: string) => {
    own?.onLine(line);
    const refused = parseBusViolation(line);
    if (!refused) return;
    const identity = refused.nkey ? (identities?.nameOf(refused.nkey) ?? "unknown") : undefined;
    busLog.warn({ ...refused, ...(identity ? { identity } : {}) }, refused.kind === "connect" ? "bus refused a client without a valid credential" : "bus refused a subject outside the identity's permissions");
  };
  const [natsResult, sqldResult] = await Promise.allSettled([
    config.bus.url
      ? undefined
      : superviseServer({
          ...common,
          name: "nats-server",
          start: () => startNatsServer({ dir: natsDir, port: config.bus.port, threads: config.bus.serverThreads, configFile, onLine }),
          restart: (first) => startNatsServer({ dir: natsDir, port: portOf(first.url), threads: config.bus.serverThreads, configFile, onLine }),
        }),
    config.db.url
      ? undefined
      : superviseServer({
          ...common,
          name: "sqld",
          start: () => startSqld({ dir: sqldDir, port: config.db.port }),
          restart: (first) => startSqld({ dir: sqldDir, port: first.port }),
        }),
  ]);
  // One may have started while the other failed: it is stopped with the rest.
  const server = natsResult.status === "fulfilled" ? natsResult.value : undefined;
  nats = server;
  const sqld: SupervisedServer | undefined = sqldResult.status === "fulfilled" ? sqldResult.value : undefined;
  if (server) cleanups.push(() => server.stop());
  if (sqld) cleanups.push(() => sqld.stop());
  for (const result of [natsResult, sqldResult]) if (result.status === "rejected") throw result.reason;
  const external = () => (config.bus.creds ? path.resolve(path.dirname(fuseDir), config.bus.creds) : undefined);
  return {
    natsUrl: config.bus.url ?? nats!.url,
    dbUrl: config.db.url ?? sqld!.url,
    // Actors talk to our own sqld over one WebSocket each: a request per statement over HTTP
    // costs far more round trips (see the db benchmark).
    actorDbUrl: config.db.url ?? sqld!.url.replace(/^http:/, "ws:"),
    pids: () => [...(nats ? [nats.pid()] : []), ...(sqld ? [sqld.pid()] : [])],
    busDownSince: () => nats?.downSince(),
    credsFor: own ? own.credsFor : external,
    grant: own ? own.grant : async () => external(),
  };
}
