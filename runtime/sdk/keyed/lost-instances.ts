import type { Transport } from "../../bus/index.ts";
import { INSTANCE_LOST_SUBJECT } from "../../protocol/index.ts";

/**
 * Calls `lost(serviceId)` for each instance the hub reports dead (`$FUSE.instance.lost`, sent
 * when a serving instance exits unasked), so that survivors take its partitions at once
 * instead of waiting for its leases to run out. Returns the unsubscribe.
 */
export function followLostInstances(transport: Transport, lost: (serviceId: string) => void): () => void {
  return transport.subscribe(INSTANCE_LOST_SUBJECT, (message) => {
    try {
      const { instance } = JSON.parse(Buffer.from(message.data).toString("utf8")) as { instance?: unknown };
      if (typeof instance === "string" && instance) lost(instance);
    } catch {
      // Not a notice we understand: the lease will run out instead.
    }
  });
}
