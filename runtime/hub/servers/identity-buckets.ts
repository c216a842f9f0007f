import type { Transport } from "../../bus/index.ts";
import { bucketsOf, type BusUses } from "../../protocol/index.ts";

/**
 * Makes, as the hub, every bucket an identity may use before its process starts: actors may
 * not make streams themselves (a stream's subjects are in the request's body, out of reach of
 * subject permissions, so one made by an actor could capture other actors' traffic). Each
 * bucket is opened once per hub run; opening makes it when missing, with its declared TTL.
 */
export function createBucketMaker(transport: Transport, prefix: string): (name: string, uses: (BusUses & { ttls?: Record<string, number> }) | undefined) => Promise<void> {
  const made = new Map<string, Promise<unknown>>();
  const once = (key: string, open: () => Promise<unknown>) => {
    let opening = made.get(key);
    if (!opening) {
      opening = open();
      // A failure is not kept: the next start of the actor tries again.
      opening.catch(() => made.delete(key));
      made.set(key, opening);
    }
    return opening;
  };
  return async (name, uses) => {
    const { kv, files } = bucketsOf(prefix, name, uses);
    await Promise.all([
      ...kv.map((bucket) => {
        const ttlMs = uses?.ttls?.[bucket];
        return once(`kv ${bucket}`, () => transport.keyValue(bucket, ttlMs ? { ttlMs } : {}));
      }),
      ...files.map((bucket) => once(`files ${bucket}`, () => transport.objects(bucket))),
    ]);
  };
}
