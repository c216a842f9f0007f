import type { ActorKeys } from "../../runtime/protocol/index.ts";
import type { RunningHub } from "./hub.ts";
import { waitFor } from "./wait-for.ts";

/**
 * Waits until each of `instances` instances of a keyed actor owns partitions, and returns
 * `hub.keys`' answer then. An instance ready after the others takes its share only when it
 * joins, which on a loaded machine can come after a test's first calls; a test that kills an
 * instance to see its keys move needs that instance to own keys first.
 */
export function waitForPartitionShares(hub: RunningHub, actor: string, instances: number, timeoutMs = 90_000): Promise<ActorKeys> {
  return waitFor(`each of the ${instances} instances of ${actor} to own partitions`, async () => {
    const keys = await hub.call<ActorKeys>("hub.keys", { name: actor });
    const owning = keys.instances.filter((i) => i.partitions.length > 0);
    return owning.length === instances ? keys : undefined;
  }, timeoutMs);
}
