import type { KeyValueBucket, KeyValueOptions } from "../../bus/index.ts";
import { ValidationError } from "../../errors/index.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const KEY = /^[-/_=.a-zA-Z0-9]+$/;

function checkKey(key: string): string {
  if (!KEY.test(key) || key.startsWith(".") || key.endsWith(".")) {
    throw new ValidationError(`kv key ${JSON.stringify(key)}: expected letters, digits and - / _ = . (not at the ends)`);
  }
  return key;
}

/**
 * A key-value store shared by every instance of the hub, for caches and ephemeral state.
 * Values are JSON. On NATS it is a JetStream KV bucket; in-process, a map with the same rules.
 */
export class KeyValue {
  private opened: Promise<KeyValueBucket> | undefined;

  constructor(
    private readonly open: (bucket: string, options: KeyValueOptions) => Promise<KeyValueBucket>,
    /** The bucket's name. */
    readonly name: string,
    private readonly options: KeyValueOptions = {},
  ) {}

  private bucket(): Promise<KeyValueBucket> {
    this.opened ??= this.open(this.name, this.options);
    return this.opened;
  }

  /**
   * Another bucket, e.g. with a TTL: `ctx.kv.in("sessions", { ttlMs: 60_000 })`. Every
   * entry of a bucket expires `ttlMs` after its last put.
   */
  in(name: string, options: KeyValueOptions = {}): KeyValue {
    return new KeyValue(this.open, name, options);
  }

  /** The value under `key`, or undefined. */
  async get<T = unknown>(key: string): Promise<T | undefined> {
    const entry = await (await this.bucket()).get(checkKey(key));
    return entry ? (JSON.parse(decoder.decode(entry.value)) as T) : undefined;
  }

  /** Stores `value` (JSON) under `key`; resolves with the new revision. */
  async put(key: string, value: unknown): Promise<number> {
    return (await this.bucket()).put(checkKey(key), encoder.encode(JSON.stringify(value)));
  }

  async delete(key: string): Promise<void> {
    await (await this.bucket()).delete(checkKey(key));
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
