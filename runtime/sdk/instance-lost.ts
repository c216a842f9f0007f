import type { Transport } from "../bus/index.ts";
import { INSTANCE_LOST_SUBJECT } from "../protocol/index.ts";

/** An instance the hub reports dead: its actor and its NATS service id. */
export interface LostInstance {
  actor: string;
  serviceId: string;
}

const decoder = new TextDecoder();

/**
 * Reads a `$FUSE.instance.lost` notice (`{"instance":"<service id>","subjects":"<prefix>.<actor>."}`)
 * of this hub's prefix; undefined for another hub's (one subject serves every hub on the bus)
 * or for a notice it cannot read.
 */
export function parseInstanceLost(data: Uint8Array, prefix: string): LostInstance | undefined {
  let notice: { instance?: unknown; subjects?: unknown };
  try {
    notice = JSON.parse(decoder.decode(data)) as typeof notice;
  } catch {
    return undefined;
  }
  const { instance, subjects } = notice;
  if (typeof instance !== "string" || !instance || typeof subjects !== "string") return undefined;
  const own = `${prefix}.`;
  if (!subjects.startsWith(own) || !subjects.endsWith(".")) return undefined;
  const actor = subjects.slice(own.length, -1);
  // Actor names hold no dots: a longer rest is another hub whose prefix begins with ours.
  return actor && !actor.includes(".") ? { actor, serviceId: instance } : undefined;
}

/**
 * Calls `lost` for each instance of this hub that the hub reports dead. The hub sends the
 * notice whenever a serving instance exits unasked, whether or not `bus.receipts` is on: one
 * message per death. Returns the unsubscribe.
 */
export function followInstanceLost(transport: Transport, prefix: string, lost: (instance: LostInstance) => void): () => void {
  return transport.subscribe(INSTANCE_LOST_SUBJECT, (message) => {
    const notice = parseInstanceLost(message.data, prefix);
    if (notice) lost(notice);
  });
}
