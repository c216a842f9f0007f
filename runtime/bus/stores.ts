/**
 * Storage the bus offers besides messages: key-value buckets and object (file) buckets, on
 * NATS JetStream in production and in memory in the SDK's in-process mode.
 */
export interface KeyValueEntry {
  value: Uint8Array;
  revision: number;
}

/**
 * The outcome of a conditional write: the new revision, or the key's latest revision when it
 * was not the one expected (undefined when the store cannot tell). A lost race is a value, not
 * an exception: the SDK turns it into a CONFLICT error with its bucket and key.
 */
export type ConditionalWrite = { ok: true; revision: number } | StaleRevision;
export interface StaleRevision {
  ok: false;
  actual: number | undefined;
}

export interface KeyValueBucket {
  get(key: string): Promise<KeyValueEntry | undefined>;
  /** Resolves with the new revision. */
  put(key: string, value: Uint8Array): Promise<number>;
  /**
   * Writes only if the key's latest revision is `expected`; `0` means "only if absent" (never
   * written, or deleted since).
   */
  putIf(key: string, value: Uint8Array, expected: number): Promise<ConditionalWrite>;
  delete(key: string): Promise<void>;
  /** Deletes only if the key's latest revision is `expected` (> 0). */
  deleteIf(key: string, expected: number): Promise<{ ok: true } | StaleRevision>;
  /** Keys, optionally matching a NATS-style filter (`user.*`, `cache.>`). */
  keys(filter?: string): Promise<string[]>;
  /** Calls `onChange` for every later put or delete of matching keys; resolves with a stop function. */
  watch(filter: string, onChange: (key: string, entry: KeyValueEntry | undefined) => void): Promise<() => void>;
}

export interface KeyValueOptions {
  /** Entries expire this long after their last put. Default: never. */
  ttlMs?: number;
  /** Copies of the bucket when it is made (a cluster's R3). Default 1. */
  replicas?: number;
}

export interface ObjectInfo {
  name: string;
  size: number;
  /** Epoch ms. */
  modified: number;
  contentType?: string;
  /** `SHA-256=<base64url>` as the store computed it. */
  digest?: string;
}

export interface ObjectBucket {
  /** Stores `data` under `name`, streaming chunk by chunk. */
  put(name: string, data: AsyncIterable<Uint8Array> | Uint8Array, meta?: { contentType?: string }): Promise<ObjectInfo>;
  /** The object's data as a stream of chunks, or undefined. */
  get(name: string): Promise<{ info: ObjectInfo; data: AsyncIterable<Uint8Array> } | undefined>;
  info(name: string): Promise<ObjectInfo | undefined>;
  list(): Promise<ObjectInfo[]>;
  /** Whether there was such an object. */
  delete(name: string): Promise<boolean>;
}

/** NATS subject-style matching of dotted keys: `*` one token, `>` the rest. */
export function matchesFilter(filter: string, key: string): boolean {
  const f = filter.split(".");
  const k = key.split(".");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === ">") return k.length > i;
    if (i >= k.length || (f[i] !== "*" && f[i] !== k[i])) return false;
  }
  return f.length === k.length;
}
