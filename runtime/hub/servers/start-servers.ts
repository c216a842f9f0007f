import path from "node:path";
import type { FuseConfig } from "../../config/index.ts";
import type { Logger } from "../../log/index.ts";
import type { CleanupStack } from "../cleanup-stack.ts";
import { startNatsServer } from "./nats-server.ts";
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
}

function portOf(url: string): number {
  return Number(new URL(url.replace(/^nats:/, "http:")).port);
}

/**
 * Starts nats-server and sqld side by side (unless `bus.url` / `db.url` name existing ones),
 * each supervised: revived at the same address with the same data. `onChange` hears of every
 * death and revival; each is stopped by `cleanups`.
 */
export async function startServers(config: FuseConfig, fuseDir: string, log: Logger, cleanups: CleanupStack, onChange?: () => void): Promise<HubServers> {
  const common = { log: log.child({ mod: "hub.servers" }), policy: config.restart, onChange };
  const natsDir = path.join(fuseDir, "nats");
  const sqldDir = path.join(fuseDir, "db");
  const [natsResult, sqldResult] = await Promise.allSettled([
    config.bus.url
      ? undefined
      : superviseServer({
          ...common,
          name: "nats-server",
          start: () => startNatsServer({ dir: natsDir, port: config.bus.port, threads: config.bus.serverThreads }),
          restart: (first) => startNatsServer({ dir: natsDir, port: portOf(first.url), threads: config.bus.serverThreads }),
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
  const nats: SupervisedServer | undefined = natsResult.status === "fulfilled" ? natsResult.value : undefined;
  const sqld: SupervisedServer | undefined = sqldResult.status === "fulfilled" ? sqldResult.value : undefined;
  if (nats) cleanups.push(() => nats.stop());
  if (sqld) cleanups.push(() => sqld.stop());
  for (const result of [natsResult, sqldResult]) if (result.status === "rejected") throw result.reason;
  return {
    natsUrl: config.bus.url ?? nats!.url,
    dbUrl: config.db.url ?? sqld!.url,
    // Actors talk to our own sqld over one WebSocket each: a request per statement over HTTP
    // costs far more round trips (see the db benchmark).
    actorDbUrl: config.db.url ?? sqld!.url.replace(/^http:/, "ws:"),
    pids: () => [...(nats ? [nats.pid()] : []), ...(sqld ? [sqld.pid()] : [])],
    busDownSince: () => nats?.downSince(),
  };
}
