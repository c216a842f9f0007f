import path from "node:path";
import type { FuseConfig } from "../../config/index.ts";
import type { Logger } from "../../log/index.ts";
import type { CleanupStack } from "../cleanup-stack.ts";
import { startNatsServer, type NatsServerHandle } from "./nats-server.ts";
import { startSupervisedSqld, type SupervisedSqld } from "./supervised-sqld.ts";

export interface HubServers {
  natsUrl: string;
  /** The database URL for people and other clients (HTTP). */
  dbUrl: string | undefined;
  /** The database URL the hub gives its actors. */
  actorDbUrl: string | undefined;
  /** PIDs of the servers started here, for cleaning up after a hub that was killed. */
  pids(): number[];
}

/**
 * Starts nats-server and sqld side by side (unless `bus.url` / `db.url` name existing ones);
 * each is stopped by `cleanups`.
 */
export async function startServers(config: FuseConfig, fuseDir: string, log: Logger, cleanups: CleanupStack, onRestart?: () => void): Promise<HubServers> {
  const [natsResult, sqldResult] = await Promise.allSettled([
    config.bus.url ? undefined : startNatsServer({ dir: path.join(fuseDir, "nats"), port: config.bus.port, threads: config.bus.serverThreads }),
    config.db.url ? undefined : startSupervisedSqld({ dir: path.join(fuseDir, "db"), port: config.db.port, log: log.child({ mod: "hub.sqld" }), restart: config.restart, onRestart }),
  ]);
  // One may have started while the other failed: it is stopped with the rest.
  const nats: NatsServerHandle | undefined = natsResult.status === "fulfilled" ? natsResult.value : undefined;
  const sqld: SupervisedSqld | undefined = sqldResult.status === "fulfilled" ? sqldResult.value : undefined;
  if (nats) cleanups.push(() => nats.stop());
  if (sqld) cleanups.push(() => sqld.stop());
  for (const result of [natsResult, sqldResult]) if (result.status === "rejected") throw result.reason;
  return {
    natsUrl: config.bus.url ?? nats!.url,
    dbUrl: config.db.url ?? sqld!.url,
    // Actors talk to our own sqld over one WebSocket each: a request per statement over HTTP
    // costs far more round trips (see the db benchmark).
    actorDbUrl: config.db.url ?? sqld!.url.replace(/^http:/, "ws:"),
    pids: () => [...(nats ? [nats.pid] : []), ...(sqld ? [sqld.pid()] : [])],
  };
}
