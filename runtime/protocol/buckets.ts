/**
 * Which JetStream buckets an actor may reach: its own (named after it) and those its
 * definition declares (`defineActor({ buckets: { kv: [...], files: [...] } })`). The SDK
 * refuses the others before the bus sees them, and the hub gives each identity NATS rights
 * to exactly these (bus-permissions.ts), so a raw client with the actor's credential cannot
 * open another actor's bucket either.
 */
import { BuiltinActor } from "./contracts/builtin-actors.ts";
import { replyBodiesBucket } from "./web.ts";

/** What an actor process uses of JetStream besides calls: buckets by kind, and the event topics it consumes. */
export interface BusUses {
  /** Key-value buckets (`ctx.kv`, `ctx.kv.in(name)`). */
  kv: string[];
  /** Object buckets (`ctx.files`, `ctx.files.in(name)`). */
  files: string[];
  /** Event topics the actor subscribes to (its durable consumers), as written in its `events`. */
  topics: string[];
}

/** A JetStream bucket name: letters, digits, `-` and `_` (what nats.js accepts). */
export const BUCKET_NAME = /^[-\w]{1,200}$/;

/**
 * The buckets an actor owns without declaring them, named `<prefix>-<kind>-<actor>` as the
 * keyed state (`keyedBucket`) and stored replies (`idempotentRepliesBucket`) are: `kv`
 * (ctx.kv) and `files` (ctx.files). The gateway keeps the hub's file storage,
 * `<prefix>-files` (`/files`, `fuse files`), as its ctx.files. NATS rights cannot match part
 * of a name, so an actor reaches exactly these, its keyed and replies buckets when its
 * definition has them, and the ones it declares.
 */
export function ownBuckets(prefix: string, actor: string): { kv: string; files: string } {
  return {
    kv: `${prefix}-kv-${actor}`,
    files: actor === BuiltinActor.gateway ? hubFilesBucket(prefix) : `${prefix}-files-${actor}`,
  };
}

/** The hub's shared file storage: served by the gateway on `/files`, managed by `fuse files`. */
export function hubFilesBucket(prefix: string): string {
  return `${prefix}-files`;
}

const OWN_KINDS = ["kv", "files", "keyed", "replies"];

/**
 * The actor whose own bucket `bucket` is (`<prefix>-<kind>-<actor>`: kv, files, keyed state,
 * stored replies), or undefined for a shared name.
 */
export function ownerOfBucket(prefix: string, bucket: string): string | undefined {
  for (const kind of OWN_KINDS) {
    const head = `${prefix}-${kind}-`;
    if (bucket.startsWith(head) && bucket.length > head.length) return bucket.slice(head.length);
  }
  return undefined;
}

/**
 * Every bucket an actor may reach: its own and the declared ones. Declaring another actor's
 * own bucket gives nothing: its data is that actor's, reached by calling it (or through a
 * bucket both declare), so a definition cannot reach into it by naming it.
 */
export function bucketsOf(prefix: string, actor: string, declared: { kv?: readonly string[]; files?: readonly string[] } = {}): { kv: string[]; files: string[] } {
  const own = ownBuckets(prefix, actor);
  const shared = (names: readonly string[] = []) => names.filter((name) => (ownerOfBucket(prefix, name) ?? actor) === actor);
  return {
    kv: [...new Set([own.kv, ...shared(declared.kv)])],
    // Every identity writes and reads reply bodies too large for the bus (rawOutput endpoints, web.ts).
    files: [...new Set([own.files, replyBodiesBucket(prefix), ...shared(declared.files)])],
  };
}

/** The JetStream stream behind a key-value bucket. */
export const kvStreamName = (bucket: string): string => `KV_${bucket}`;
/** The JetStream stream behind an object bucket. */
export const objectStreamName = (bucket: string): string => `OBJ_${bucket}`;
