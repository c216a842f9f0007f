/**
 * The wire side of keyed actors: how a call names its key, which partition a key falls in,
 * the subject of a partition and the JetStream KV bucket that holds an actor's keys.
 *
 * A keyed call carries its key in the `Fuse-Key` header. Keys are hashed (FNV-1a, 32 bits,
 * over the key's UTF-8 bytes) into `KEYED_PARTITIONS` partitions; each partition is owned by
 * one instance at a time, which alone subscribes to `<prefix>.<actor>.<endpoint>@<partition>`.
 * Callers that know the hash (the SDK, the gateway) publish there directly; any other NATS
 * client may publish on the plain `<prefix>.<actor>.<endpoint>` with the header, and the
 * instance that takes it forwards it to the partition's owner (one hop more).
 */

/** Partitions of every keyed actor: fixed, so every caller and instance agrees on them without asking. */
export const KEYED_PARTITIONS = 64;

/** The longest key taken, in characters: a key is an id, not a payload. */
export const MAX_ACTOR_KEY_LENGTH = 256;

/** Separates an endpoint's name from its partition in a partition subject (never part of a name). */
const PARTITION_MARK = "@";

const utf8 = new TextEncoder();

/** The partition a key falls in: FNV-1a (32 bits) of its UTF-8 bytes, modulo `KEYED_PARTITIONS`. */
export function partitionOf(key: string): number {
  let hash = 0x811c9dc5;
  // An ASCII key's UTF-8 bytes are its char codes: hashed without encoding it (every call hashes its key).
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code > 0x7f) return partitionOfBytes(key);
    hash ^= code;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % KEYED_PARTITIONS;
}

function partitionOfBytes(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of utf8.encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % KEYED_PARTITIONS;
}

/** The subject only a partition's owner listens on: `<prefix>.<actor>.<endpoint>@<partition>`. */
export function partitionSubject(prefix: string, actor: string, endpoint: string, partition: number): string {
  return `${prefix}.${actor}.${endpoint}${PARTITION_MARK}${partition}`;
}

/** The subject a keyed call of `endpointSubject` goes to for `key`. */
export function keyedSubjectOf(endpointSubject: string, key: string): string {
  return endpointPartitionSubject(endpointSubject, partitionOf(key));
}

/** The subject of `endpointSubject`'s partition `partition` (`partitionSubject` from an endpoint's subject). */
export function endpointPartitionSubject(endpointSubject: string, partition: number): string {
  return `${endpointSubject}${PARTITION_MARK}${partition}`;
}

/**
 * The JetStream KV bucket of a keyed actor's states, partition leases and reminders, one per
 * actor so that bus permissions can give each actor its own: `<prefix>-keyed-<actor>`.
 */
export function keyedBucket(prefix: string, actor: string): string {
  return `${prefix}-keyed-${actor}`;
}

/**
 * Where every instance of a keyed actor answers admin questions (its active keys, one key's
 * state): `<prefix>.<actor>.$keyed.admin`, outside its queue group so each instance answers.
 * Four tokens, so the `<prefix>.*.*` that actors may publish on does not reach it: only
 * identities with every right (the hub, the CLI's admin) can ask.
 */
export function keyedAdminSubject(prefix: string, actor: string): string {
  return `${prefix}.${actor}.$keyed.admin`;
}

/** Why `key` cannot be an actor key, or undefined when it can. */
export function actorKeyProblem(key: unknown): string | undefined {
  if (typeof key !== "string" || key.length === 0) return "a key must be a non-empty string";
  if (key.length > MAX_ACTOR_KEY_LENGTH) return `a key is at most ${MAX_ACTOR_KEY_LENGTH} characters, got ${key.length}`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) return "a key may not hold control characters";
  return undefined;
}

/** Whether `subject` is a partition subject (no owner on it is a keyed actor's handover, not a missing endpoint). */
export function isPartitionSubject(subject: string): boolean {
  return subject.slice(subject.lastIndexOf(".") + 1).includes(PARTITION_MARK);
}
