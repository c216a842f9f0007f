import { defineActor, defineEndpoint, type AnyActor } from "../sdk/internal.ts";
import { gatewayContract } from "../protocol/index.ts";
import { loadConfig } from "../config/index.ts";
import type { GatewayOptions } from "./gateway-options.ts";
import { startGateway, type RunningGateway } from "./start-gateway.ts";

/** Where the gateway actor gets its options when it starts. */
export type GatewayOptionsSource = Partial<GatewayOptions> | (() => Partial<GatewayOptions>);

/** Options from `config/fuse.yaml` of the hub folder (`gateway.port`, `gateway.host`); defaults without one. */
export function gatewayOptionsFromConfig(hubDir: string | undefined): Partial<GatewayOptions> {
  if (!hubDir) return {};
  const config = loadConfig(hubDir);
  return { port: config.gateway.port, host: config.gateway.host };
}

/**
 * The `gateway` actor: starts the HTTP server in its `start` hook and stops it in `stop`.
 * Its endpoint `info` tells the hub (and anyone) where it listens.
 */
export function createGatewayActor(source: GatewayOptionsSource = {}): AnyActor {
  let running: RunningGateway | undefined;
  return defineActor({
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
      running = await startGateway(ctx, typeof source === "function" ? source() : source);
    },
    stop: async () => {
      await running?.stop();
      running = undefined;
    },
  });
}
