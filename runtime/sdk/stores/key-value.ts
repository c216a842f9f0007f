import type { KeyValueBucket, KeyValueOptions, StaleRevision } from "../../bus/index.ts";
import { FuseError, ValidationError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import { LOST_RACE, retryOnConflict, type ChangeOptions } from "../../table/index.ts";
import type { BucketAccess } from "./bucket-access.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const KEY = /^[-/_=.a-zA-Z0-9]+$/;

function checkKey(key: string): string {
  if (!KEY.test(key) || key.startsWith(".") || key.endsWith(".")) {
    throw new ValidationError(`kv key ${JSON.stringify(key)}: expected letters, digits and - / _ = . (not at the ends)`);
  }
  return key;
}

function checkRevision(key: string, revision: unknown): number {
  if (!Number.isInteger(revision) || (revision as number) < 1) {
    throw new ValidationError(`kv key ${JSON.stringify(key)}: revision must be a positive integer (from getEntry), got ${JSON.stringify(revision)}`);
  }
  return revision as number;
}

const encode = (value: unknown) => encoder.encode(JSON.stringify(value));

/** A value with the revision it was stored at; pass the revision to `update` to write only if it is still the latest. */
export interface KvEntry<T = unknown> {
  value: T;
  /** Grows with every write of the bucket; never reused. */
  revision: number;
}

export type { ChangeOptions };

/**
 * A key-value store shared by every instance of the hub, for caches, counters and small state.
 * Values are JSON. On NATS it is a JetStream KV bucket; in-process, a map with the same rules.
 *
 * Consistency: each write is atomic and every later read, from any instance, sees it
 * (read-your-writes). `put` is last-writer-wins; for read-modify-write use `change` (or
 * `getEntry` + `update` with the revision, or `create`), which never lose a concurrent update.
 */
export class KeyValue {
  private opened: Promise<KeyValueBucket> | undefined;

  constructor(
    private readonly open: (bucket: string, options: KeyValueOptions) => Promise<KeyValueBucket>,
    /** The bucket's name. */
    readonly name: string,
    private readonly options: KeyValueOptions = {},
    /** What the actor may open; without it (tools, tests of the store) any bucket. */
    private readonly access?: BucketAccess,
  ) {}

  private bucket(): Promise<KeyValueBucket> {
    this.opened ??= this.open(this.name, this.options);
    return this.opened;
  }

  private conflict(key: string, message: string, expected: number | undefined, stale: StaleRevision): FuseError {
    return new FuseError(ErrorCode.CONFLICT, `kv key ${JSON.stringify(key)} in bucket "${this.name}": ${message}`, {
      details: { bucket: this.name, key, expectedRevision: expected ?? null, actualRevision: stale.actual ?? null },
    });
  }

  /**
   * Another bucket, declared in `defineActor({ buckets: { kv: [...] } })`, e.g. with a TTL:
   * `{ name: "sessions", ttlMs: 60_000 }` then `ctx.kv.in("sessions")`. Every entry of a
   * bucket expires `ttlMs` after its last put.
   * @throws FORBIDDEN naming the bucket when the actor did not declare it.
   */
  in(name: string, options: KeyValueOptions = {}): KeyValue {
    return new KeyValue(this.open, name, this.access ? this.access.kvOptions(name, options) : options, this.access);
  }

  /** The value under `key`, or undefined. */
  async get<T = unknown>(key: string): Promise<T | undefined> {
    return (await this.getEntry<T>(key))?.value;
  }

  /**
   * The value under `key` with its revision, or undefined.
   * @example const entry = await ctx.kv.getEntry<number>("stock.apple"); // { value: 60, revision: 7 }
   */
  async getEntry<T = unknown>(key: string): Promise<KvEntry<T> | undefined> {
    const entry = await (await this.bucket()).get(checkKey(key));
    return entry ? { value: JSON.parse(decoder.decode(entry.value)) as T, revision: entry.revision } : undefined;
  }

  /** Stores `value` (JSON) under `key`, whatever is there (last writer wins); resolves with the new revision. */
  async put(key: string, value: unknown): Promise<number> {
    return (await this.bucket()).put(checkKey(key), encode(value));
  }

  /**
   * Stores `value` only if `key` holds nothing (never written, deleted or expired); resolves
   * with the new revision. Of many concurrent creates of one key, exactly one succeeds.
   * @throws CONFLICT (409) when the key holds a value; `details` has `bucket`, `key`, `actualRevision`.
   * @example await ctx.kv.create(`order.${id}`, { status: "new" });
   */
  async create(key: string, value: unknown): Promise<number> {
    const result = await (await this.bucket()).putIf(checkKey(key), encode(value), 0);
    if (!result.ok) throw this.conflict(key, "already holds a value", undefined, result);
    return result.revision;
  }

  /**
   * Stores `value` only if `revision` is still the key's latest (compare-and-set); resolves
   * with the new revision.
   * @throws CONFLICT (409) when another write came first (or the key was deleted); `details`
   *   has `bucket`, `key`, `expectedRevision` and `actualRevision` (null when the key is gone).
   * @example
   * const { value, revision } = (await ctx.kv.getEntry<Cart>("cart.7"))!;
   * await ctx.kv.update("cart.7", { ...value, paid: true }, { revision });
   */
  async update(key: string, value: unknown, options: { revision: number }): Promise<number> {
    const expected = checkRevision(key, options?.revision);
    const result = await (await this.bucket()).putIf(checkKey(key), encode(value), expected);
    if (!result.ok) throw this.conflict(key, `expected revision ${expected}, but ${result.actual === undefined ? "it no longer holds a value" : `the latest is ${result.actual}`}`, expected, result);
    return result.revision;
  }

  /**
   * Deletes `key`. With `{ revision }`, only if that is still its latest revision.
   * @throws CONFLICT (409) with `{ revision }` when another write came first.
   */
  async delete(key: string, options: { revision?: number } = {}): Promise<void> {
    const bucket = await this.bucket();
    if (options.revision === undefined) return bucket.delete(checkKey(key));
    const expected = checkRevision(key, options.revision);
    const result = await bucket.deleteIf(checkKey(key), expected);
    if (!result.ok) throw this.conflict(key, `expected revision ${expected}, but ${result.actual === undefined ? "it no longer holds a value" : `the latest is ${result.actual}`}`, expected, result);
  }

  /**
   * Read-modify-write that never loses a concurrent update: reads the key, calls `fn` with its
   * value (undefined when absent), and writes the result only if nobody wrote in between;
   * otherwise reads again and calls `fn` again, pausing a short random while between rounds.
   * `fn` may run several times, so it must not have side effects of its own. Returning
   * `undefined` writes nothing (the key stays as it is; use `delete` to remove it), and
   * throwing aborts the change with that error (a business refusal, say). Resolves with the
   * entry as it is now: the new one, or the current one when `fn` returned undefined
   * (undefined when the key is absent).
   * Options: `attempts`, rounds before giving up (default 30).
   * @throws CONFLICT (409, retryable) when other writers won `attempts` rounds in a row; whatever `fn` throws.
   * @example
   * await ctx.kv.change<number>("stock.apple", (left = 0) => {
   *   if (left < 1) throw new FuseError("OUT_OF_STOCK", "no apples left");
   *   return left - 1;
   * });
   */
  async change<T = unknown>(key: string, fn: (current: T | undefined) => T | undefined | Promise<T | undefined>, options: ChangeOptions = {}): Promise<KvEntry<T> | undefined> {
    const bucket = await this.bucket();
    checkKey(key);
    return retryOnConflict(`kv key ${JSON.stringify(key)} in bucket "${this.name}"`, { bucket: this.name, key }, async () => {
      const current = await this.getEntry<T>(key);
      const next = await fn(current?.value);
      if (next === undefined) return current;
      const result = await bucket.putIf(key, encode(next), current?.revision ?? 0);
      // JSON round trip, so the caller sees what a later get returns (dates as strings, say).
      return result.ok ? { value: JSON.parse(JSON.stringify(next)) as T, revision: result.revision } : LOST_RACE;
    }, options);
  }

  /** Keys, optionally matching a filter: `user.*` (one token), `cache.>` (any depth). */
  async keys(filter?: string): Promise<string[]> {
    return (await this.bucket()).keys(filter);
  }

  /** Calls `onChange(key, value)` on every later change of matching keys (value undefined: deleted). */
  async watch(filter: string, onChange: (key: string, value: unknown) => void): Promise<{ stop(): void }> {
    const stop = await (await this.bucket()).watch(filter, (key, entry) =>
      onChange(key, entry ? JSON.parse(decoder.decode(entry.value)) : undefined),
    );
    return { stop };
  }
}
