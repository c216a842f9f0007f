import type { KeyValueBucket } from "../../bus/index.ts";

const encoder = new TextEncoder();
const encode = (text: string) => encoder.encode(text);

/**
 * One firing per schedule tick cluster-wide, whatever happens to the lease: before it runs a
 * job, the node creates `<schedule>.<second of the tick>` in the replicated ticks bucket, and
 * only the node whose create succeeded runs it. Guards the handover, when a holder that is cut
 * off but not yet stepped down and its successor might both fire (a write needs a quorum, so a
 * cut-off node cannot claim at all). Cron's finest step is a second.
 */
export async function claimTick(bucket: KeyValueBucket, schedule: string, node: string, firedAt = Date.now()): Promise<boolean> {
  const second = Math.floor(firedAt / 1000);
  const result = await bucket.putIf(`${schedule}.${second}`, encode(node), 0);
  return result.ok;
}
