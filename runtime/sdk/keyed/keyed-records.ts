/**
 * What a keyed actor keeps in its bucket (`<prefix>-keyed-<actor>`), and under which KV keys:
 * - `s.<key>`             the key's record: state, version and reminders, one revision-checked write per turn
 * - `t.<partition>.<key>` a hint that the key has reminders: the partition's owner loads it to schedule them
 * - `lease.<partition>`   who owns a partition, until when
 * - `member.<service id>` a live instance, until when: the count sets each instance's share
 * Keys are base64url-encoded: an actor key may hold any character, a KV key only a few.
 */

/** A reminder as stored with the key's state. */
export interface StoredReminder {
  dueAt: number;
  everyMs?: number;
  data?: unknown;
}

/** One key's record: its state, its version (turns that changed it) and its reminders. */
export interface KeyRecord {
  v: number;
  s: unknown;
  r?: Record<string, StoredReminder>;
}

/** A partition's lease: the owner's service id and instance, valid until `until` (epoch ms). */
export interface Lease {
  owner: string;
  instance: number;
  until: number;
}

export interface Membership {
  instance: number;
  until: number;
}

const encodeKey = (key: string) => Buffer.from(key, "utf8").toString("base64url");
export const decodeKey = (encoded: string) => Buffer.from(encoded, "base64url").toString("utf8");

export const recordKey = (key: string) => `s.${encodeKey(key)}`;
export const RECORD_FILTER = "s.*";
export const timerKey = (partition: number, key: string) => `t.${partition}.${encodeKey(key)}`;
export const timerFilter = (partition: number) => `t.${partition}.*`;
export const leaseKey = (partition: number) => `lease.${partition}`;
export const memberKey = (serviceId: string) => `member.${serviceId}`;
export const MEMBER_FILTER = "member.*";

/** The actor key of a `s.<key>` or `t.<p>.<key>` KV key. */
export function keyOfEntry(kvKey: string): string {
  return decodeKey(kvKey.slice(kvKey.lastIndexOf(".") + 1));
}
