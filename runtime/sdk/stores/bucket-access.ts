import type { KeyValueOptions } from "../../bus/index.ts";
import { ConfigError, FuseError } from "../../errors/index.ts";
import { BUCKET_NAME, ErrorCode, bucketsOf, idempotentRepliesBucket, keyedBucket, ownBuckets, ownerOfBucket, type BusUses } from "../../protocol/index.ts";

/** A key-value bucket an actor declares: its name, or its name and the TTL of its entries. */
export type DeclaredKvBucket = string | { name: string; ttlMs?: number };

/**
 * The JetStream buckets an actor uses besides its own (`ctx.kv.in(name)`, `ctx.files.in(name)`).
 * The hub makes them before the actor starts and lets the actor's bus identity reach them and
 * nothing else; a bucket used without being declared is refused FORBIDDEN.
 * @example buckets: { kv: ["stock", { name: "sessions", ttlMs: 15 * 60_000 }], files: ["uploads"] }
 */
export interface BucketDeclarations {
  kv?: readonly DeclaredKvBucket[];
  files?: readonly string[];
}

/** What `usesOf` needs of a definition (kept structural, so this file does not import define-actor). */
export interface BucketUser {
  name: string;
  buckets?: BucketDeclarations;
  events?: Record<string, unknown>;
  keyed?: unknown;
  endpoints: Record<string, { idempotent?: { ttl: number } }>;
}

/** A bus identity's uses with the TTLs the hub makes key-value buckets with. */
export interface ActorUses extends BusUses {
  /** Entry TTL (ms) of the key-value buckets that have one. */
  ttls: Record<string, number>;
  /** The hub's subject prefix, which other actors' own bucket names start with. */
  prefix: string;
}

const declaredName = (entry: DeclaredKvBucket): string => (typeof entry === "string" ? entry : entry?.name);

/**
 * @throws CONFIG_INVALID naming the actor and the entry when a declared bucket is not a
 *   JetStream bucket name or a TTL is not a positive integer.
 */
export function checkBucketDeclarations(actor: string, buckets: BucketDeclarations | undefined): void {
  if (buckets === undefined) return;
  const where = `actor "${actor}" buckets`;
  if (typeof buckets !== "object" || buckets === null) throw new ConfigError(`${where}: expected { kv?: [...], files?: [...] }`);
  for (const key of Object.keys(buckets)) if (key !== "kv" && key !== "files") throw new ConfigError(`${where}: unknown key ${JSON.stringify(key)}; expected kv or files`);
  for (const kind of ["kv", "files"] as const) {
    const list = buckets[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new ConfigError(`${where}.${kind}: expected a list of bucket names`);
    list.forEach((entry: DeclaredKvBucket, i: number) => {
      const name = kind === "kv" ? declaredName(entry) : entry;
      if (typeof name !== "string" || !BUCKET_NAME.test(name)) {
        throw new ConfigError(`${where}.${kind}[${i}]: expected a bucket name of letters, digits, - and _, got ${JSON.stringify(name)}`);
      }
      const ttl = typeof entry === "object" ? entry.ttlMs : undefined;
      if (ttl !== undefined && !(Number.isInteger(ttl) && ttl > 0)) throw new ConfigError(`${where}.kv[${i}] ttlMs: expected a positive integer (ms), got ${JSON.stringify(ttl)}`);
    });
  }
}

function longestReplyTtl(endpoints: BucketUser["endpoints"]): number | undefined {
  const ttls = Object.values(endpoints).map((e) => e.idempotent?.ttl ?? 0);
  const longest = Math.max(0, ...ttls);
  return longest > 0 ? longest : undefined;
}

/**
 * Everything an actor uses of JetStream, from its definition: its own key-value and file
 * buckets, its keyed state and stored replies when it has them, the declared buckets, and
 * the event topics it consumes. The hub derives the actor's bus rights from this and makes
 * the buckets; the SDK refuses any other bucket with the same answer in and out of process.
 */
export function usesOf(definition: BucketUser, prefix: string): ActorUses {
  const ttls: Record<string, number> = {};
  const declaredKv = (definition.buckets?.kv ?? []).map((entry) => {
    if (typeof entry === "object" && entry.ttlMs) ttls[entry.name] = entry.ttlMs;
    return declaredName(entry);
  });
  const extraKv: string[] = [];
  if (definition.keyed) extraKv.push(keyedBucket(prefix, definition.name));
  const replyTtl = longestReplyTtl(definition.endpoints);
  if (replyTtl) {
    const replies = idempotentRepliesBucket(prefix, definition.name);
    extraKv.push(replies);
    ttls[replies] = replyTtl;
  }
  const { kv, files } = bucketsOf(prefix, definition.name, { kv: [...extraKv, ...declaredKv], files: definition.buckets?.files ?? [] });
  return { kv, files, topics: Object.keys(definition.events ?? {}), ttls, prefix };
}

/** What an actor instance may open, checked by ctx.kv and ctx.files. */
export class BucketAccess {
  private readonly kv: Set<string>;
  private readonly files: Set<string>;

  constructor(
    private readonly actor: string,
    private readonly uses: ActorUses,
  ) {
    this.kv = new Set(uses.kv);
    this.files = new Set(uses.files);
  }

  /** The actor's own buckets, which ctx.kv and ctx.files open by default. */
  static own(prefix: string, actor: string): { kv: string; files: string } {
    const own = ownBuckets(prefix, actor);
    return { kv: own.kv, files: own.files };
  }

  /**
   * The options to open a key-value bucket with: the declared TTL unless others are given.
   * @throws FORBIDDEN naming the bucket and how to declare it; CONFIG_INVALID when the TTL
   *   asked for is not the declared one (the hub makes the bucket with the declared one).
   */
  kvOptions(bucket: string, options: KeyValueOptions): KeyValueOptions {
    if (!this.kv.has(bucket)) throw this.undeclared("kv", bucket, options.ttlMs ? `{ name: ${JSON.stringify(bucket)}, ttlMs: ${options.ttlMs} }` : JSON.stringify(bucket));
    const declared = this.uses.ttls[bucket];
    if (options.ttlMs !== undefined && options.ttlMs !== declared) {
      throw new ConfigError(`actor "${this.actor}" kv bucket ${JSON.stringify(bucket)}: ttlMs ${options.ttlMs} is not the declared one (${declared ?? "none"}); declare buckets: { kv: [{ name: ${JSON.stringify(bucket)}, ttlMs: ${options.ttlMs} }] } in defineActor`);
    }
    return declared ? { ...options, ttlMs: declared } : options;
  }

  /** @throws FORBIDDEN naming the bucket and how to declare it. */
  checkFiles(bucket: string): void {
    if (!this.files.has(bucket)) throw this.undeclared("files", bucket, JSON.stringify(bucket));
  }

  private undeclared(kind: "kv" | "files", bucket: string, entry: string): FuseError {
    const owner = ownerOfBucket(this.uses.prefix, bucket);
    if (owner !== undefined && owner !== this.actor) {
      return new FuseError(
        ErrorCode.FORBIDDEN,
        `actor "${this.actor}" may not use ${kind === "kv" ? "kv" : "file"} bucket ${JSON.stringify(bucket)}: it is actor "${owner}"'s own, and declaring it gives no access; call "${owner}" for its data, or keep shared data in a bucket both actors declare`,
        { details: { actor: this.actor, bucket, kind, owner } },
      );
    }
    return new FuseError(
      ErrorCode.FORBIDDEN,
      `actor "${this.actor}" may not use ${kind === "kv" ? "kv" : "file"} bucket ${JSON.stringify(bucket)}: it is not declared; add buckets: { ${kind}: [${entry}] } to defineActor (an actor reaches its own buckets and the ones it declares)`,
      { details: { actor: this.actor, bucket, kind } },
    );
  }
}
