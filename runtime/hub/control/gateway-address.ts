import type { NatsTransport } from "../../bus/index.ts";
import type { Logger } from "../../log/index.ts";
import { ProcessEnv, type HubInfo } from "../../protocol/index.ts";
import type { ActorGroup } from "../supervision/actor-group.ts";
import { askGatewayUrl } from "./hub-calls.ts";

export interface GatewayAddressOptions {
  transport: NatsTransport;
  prefix: string;
  log: Logger;
  /** The gateway's instances. */
  group: ActorGroup;
  /** The hub's info, whose `gatewayUrl` is kept current. */
  info: HubInfo;
  /** Writes the state file again (hub.info reads `info` directly). */
  publish(): void;
}

/**
 * Keeps the gateway's address stable for the hub's lifetime: after its first start the port
 * it took is pinned for every revival, and if a revival had to take another (the old one was
 * taken meanwhile), the state file, `hub.info` and the console say the new address.
 * Returns what to call each time a gateway instance is ready.
 */
export async function followGatewayAddress(options: GatewayAddressOptions): Promise<() => void> {
  const { info, log } = options;
  const pin = (url: string) => options.group.pinEnv({ [ProcessEnv.gatewayPort]: new URL(url).port });
  const url = await askGatewayUrl(options.transport, options.prefix, log);
  if (url) {
    info.gatewayUrl = url;
    pin(url);
  }
  return () =>
    void askGatewayUrl(options.transport, options.prefix, log).then((now) => {
      if (!now || now === info.gatewayUrl) return;
      log.warn({ url: now, was: info.gatewayUrl }, "gateway moved");
      info.gatewayUrl = now;
      pin(now);
      options.publish();
    });
}
