import { SERVED_ADDRESS, defineActor, defineEndpoint, type ActorContext, type InternalActor } from "../sdk/internal.ts";
import { ProcessEnv, gatewayContract } from "../protocol/index.ts";
import { loadConfig } from "../config/index.ts";
import type { GatewayOptions } from "./gateway-options.ts";
import { startGateway, type RunningGateway } from "./start-gateway.ts";
import { webMountsOf } from "./web/web-mounts.ts";

/** Where the gateway actor gets its options when it starts. */
export type GatewayOptionsSource = Partial<GatewayOptions> | (() => Partial<GatewayOptions>);

/**
 * Options from `config/fuse.yaml` of the hub folder (`gateway.port`, `host`, `auth`, `rateLimit`); defaults
 * without one. A port the hub pinned (`FUSE_GATEWAY_PORT`: the one a revived gateway had
 * before) comes before a configured 0.
 */
export function gatewayOptionsFromConfig(hubDir: string | undefined, env: NodeJS.ProcessEnv = process.env): Partial<GatewayOptions> {
  const pinned = Number(env[ProcessEnv.gatewayPort] ?? 0);
  if (!hubDir) return pinned ? { port: pinned } : {};
  const config = loadConfig(hubDir);
  return { hubDir, ...(config.gateway.tls ? { tls: config.gateway.tls } : {}), ...(config.gateway.cors ? { cors: config.gateway.cors } : {}), port: config.gateway.port || pinned, host: config.gateway.host, rateLimit: config.gateway.rateLimit, ...(config.gateway.auth ? { auth: config.gateway.auth } : {}), web: webMountsOf(config.web, hubDir), historyIntervalMs: config.metrics.enabled ? config.metrics.historyIntervalMs : 0 };
}

/**
 * Starts the gateway on its port; a port pinned by the hub that someone else took meanwhile
 * gives way to a free one (the hub then publishes the new address), a configured one does not.
 */
async function startOnPort(ctx: ActorContext, options: Partial<GatewayOptions>): Promise<RunningGateway> {
  try {
    return await startGateway(ctx, options);
  } catch (error) {
    const pinned = Number(process.env[ProcessEnv.gatewayPort] ?? 0);
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || !pinned || options.port !== pinned) throw error;
    ctx.log.warn({ port: pinned }, "gateway port taken, listening on another");
    return startGateway(ctx, { ...options, port: 0 });
  }
}

/**
 * The `gateway` actor: starts the HTTP server in its `start` hook and stops it in `stop`.
 * It tells the hub where it listens when ready (`SERVED_ADDRESS`), and anyone through `info`.
 */
export function createGatewayActor(source: GatewayOptionsSource = {}): InternalActor {
  let running: RunningGateway | undefined;
  const actor: InternalActor = defineActor({
    name: gatewayContract.actor,
    description: "HTTP gateway: every endpoint over HTTP, docs, OpenAPI and the dashboard",
    endpoints: {
      info: defineEndpoint({
        ...gatewayContract.endpoints.info,
        handler: () => {
          const table = running!.table();
          return {
            url: running!.url,
            actors: [...table.actors.values()].filter((a) => a.live).length,
            routes: [...table.routes.values()].reduce((n, l) => n + l.length, 0),
            conflicts: table.conflicts.map((c) => c.message),
          };
        },
      }),
    },
    start: async (ctx) => {
      running = await startOnPort(ctx, typeof source === "function" ? source() : source);
    },
    stop: async () => {
      await running?.stop();
      running = undefined;
    },
  });
  actor[SERVED_ADDRESS] = () => running?.url;
  return actor;
}
