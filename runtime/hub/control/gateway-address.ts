import type { Logger } from "../../log/index.ts";
import { ProcessEnv, type HubInfo } from "../../protocol/index.ts";

export interface GatewayAddressOptions {
  log: Logger;
  /** Pins the gateway's environment for its revivals (its actor group's `pinEnv`). */
  pinEnv(env: Record<string, string>): void;
  /** The hub's info, whose `gatewayUrl` is kept current. */
  info: HubInfo;
  /** Writes the state file again (hub.info reads `info` directly); before the hub is ready, nothing. */
  publish(): void;
}

/**
 * Keeps the gateway's address stable for the hub's lifetime: after its first start the port
 * it took is pinned for every revival, and if a revival had to take another (the old one was
 * taken meanwhile), the state file, `hub.info` and the console say the new address.
 * Returns what to call with the address each gateway instance reports when ready: its own
 * process says it (never a question over the bus, where on a cluster any node's gateway
 * could answer, and which a loaded machine could leave unanswered).
 */
export function followGatewayAddress(options: GatewayAddressOptions): (url: string) => void {
  const { info, log } = options;
  return (url) => {
    if (url === info.gatewayUrl) return;
    if (info.gatewayUrl) log.warn({ url, was: info.gatewayUrl }, "gateway moved");
    info.gatewayUrl = url;
    options.pinEnv({ [ProcessEnv.gatewayPort]: new URL(url).port });
    options.publish();
  };
}
