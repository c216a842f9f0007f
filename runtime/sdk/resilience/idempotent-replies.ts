import { createHash } from "node:crypto";
import { stringify } from "safe-stable-stringify";
import type { KeyValueBucket, KeyValueEntry, Transport } from "../../bus/index.ts";
import { DeadlineExceededError, FuseError, ValidationError, fromWire, toFuseError, toWire } from "../../errors/index.ts";
import { ErrorCode, MAX_IDEMPOTENCY_KEY_LENGTH, servicePingSubject } from "../../protocol/index.ts";
import type { Logger } from "../../log/index.ts";

/** `defineEndpoint({ idempotent: { ttl } })`: how long a stored reply answers repeats, in ms. */
export interface IdempotentOptions {
  ttl: number;
}

/** What a repeat gets: the first run's output, or the error it ended with. */
type StoredReply = { output: unknown } | { error: string; status: number };

/** One key's record in the bucket: claimed by the instance running it, then its reply. */
type ReplyRecord =
  | { state: "running"; input: string; owner: string; until: number; expires: number }
  | { state: "done"; input: string; reply: StoredReply; expires: number };

export interface IdempotentRepliesOptions {
  transport: Transport;
  /** The actor's replies bucket (`idempotentRepliesBucket`). */
  bucket: string;
  actor: string;
  /** Every entry expires from the bucket this long after its last write: the longest endpoint ttl. */
  bucketTtlMs: number;
  /** This instance's service id, once it serves: a claim names its owner by it. */
  owner(): string;
  log: Logger;
}

export interface IdempotentCall {
  endpoint: string;
  ttlMs: number;
  key: string;
  /** Whose key it is: keys of different principals never meet. */
  scope: string | undefined;
  input: unknown;
  deadline: number | undefined;
  traceId: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
// A claim whose run's deadline passed this long ago is abandoned even if its owner still answers pings.
const ABANDONED_AFTER_MS = 1_000;
const POLL_FIRST_MS = 10;
const POLL_MAX_MS = 200;
const PING_TIMEOUT_MS = 500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const digest = (text: string) => createHash("sha256").update(text).digest("base64url");

/**
 * Errors a repeat should not get back: those that say "try again" (retryable, a deadline,
 * a cancel, an unknown outcome downstream) or that came before the handler could act (who
 * asks). Everything else the handler ended with is its answer, kept like an output: the
 * handler may have done part of its work before it threw, and running it again is what the
 * key is there to prevent.
 */
const RELEASED = new Set<string>([
  ErrorCode.DEADLINE_EXCEEDED,
  ErrorCode.CANCELLED,
  ErrorCode.OUTCOME_UNKNOWN,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
]);
function isKept(error: FuseError): boolean {
  return !error.retryable && !RELEASED.has(error.code);
}

/**
 * Replies stored by idempotency key in the actor's JetStream KV bucket. The first request of a
 * key claims it with a create (only one instance can), runs the handler and stores its reply;
 * a repeat returns the stored reply, and one that arrives while the first runs waits for it,
 * on this instance or any other. A claim whose owner is gone (no responder on its ping
 * subject) or whose deadline passed is taken over with a compare-and-set, so a crash never
 * blocks a key until its expiry.
 */
export class IdempotentReplies {
  private opened: Promise<KeyValueBucket> | undefined;
  /** Runs of this instance, by entry key: a local repeat waits on the promise instead of polling. */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly options: IdempotentRepliesOptions) {}

  private bucket(): Promise<KeyValueBucket> {
    this.opened ??= this.options.transport.keyValue(this.options.bucket, { ttlMs: this.options.bucketTtlMs });
    // A failed open is tried again by the next request rather than remembered.
    this.opened.catch(() => (this.opened = undefined));
    return this.opened;
  }

  /** Runs `produce` once per key and input; repeats get its stored reply. */
  async run(call: IdempotentCall, produce: () => unknown): Promise<unknown> {
    if (call.key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new ValidationError(`${this.where(call)}: idempotency key is ${call.key.length} characters long, at most ${MAX_IDEMPOTENCY_KEY_LENGTH} are taken`);
    }
    const entryKey = `${call.endpoint}.${digest(`${call.scope ?? ""}\n${call.key}`)}`;
    const input = digest(stringify(call.input) ?? "");
    const bucket = await this.bucket();
    let poll = POLL_FIRST_MS;
    for (;;) {
      const local = this.running.get(entryKey);
      if (local) await local.catch(() => undefined);
      const entry = await bucket.get(entryKey);
      const record = entry && parseRecord(entry);
      if (!record || record.expires <= Date.now()) {
        const claimed = await bucket.putIf(entryKey, this.claim(call, input), entry?.revision ?? 0);
        if (claimed.ok) return this.execute(bucket, entryKey, claimed.revision, call, input, produce);
        continue;
      }
      if (record.input !== input) {
        throw new FuseError(ErrorCode.CONFLICT, `${this.where(call)}: idempotency key ${JSON.stringify(call.key.slice(0, 64))} was first used with another input`, {
          details: { idempotencyKey: call.key.slice(0, 64) },
        });
      }
      if (record.state === "done") return replay(record.reply);
      if (await this.abandoned(record)) {
        this.options.log.warn({ endpoint: call.endpoint, owner: record.owner, traceId: call.traceId }, "idempotent run taken over");
        const taken = await bucket.putIf(entryKey, this.claim(call, input), entry!.revision);
        if (taken.ok) return this.execute(bucket, entryKey, taken.revision, call, input, produce);
        continue;
      }
      if (call.deadline !== undefined && Date.now() + poll >= call.deadline) {
        throw new DeadlineExceededError(`${this.where(call)}: the first request with this idempotency key was still running on another instance at the deadline`);
      }
      await sleep(poll);
      poll = Math.min(poll * 2, POLL_MAX_MS);
    }
  }

  private where(call: IdempotentCall): string {
    return `${this.options.actor}.${call.endpoint}`;
  }

  private claim(call: IdempotentCall, input: string): Uint8Array {
    const now = Date.now();
    const record: ReplyRecord = { state: "running", input, owner: this.options.owner(), until: call.deadline ?? now + call.ttlMs, expires: now + call.ttlMs };
    return encoder.encode(JSON.stringify(record));
  }

  private async execute(bucket: KeyValueBucket, entryKey: string, revision: number, call: IdempotentCall, input: string, produce: () => unknown): Promise<unknown> {
    const run = (async () => {
      try {
        const output = await produce();
        await this.settle(bucket, entryKey, revision, call, { state: "done", input, reply: { output: output ?? null }, expires: Date.now() + call.ttlMs });
        return output;
      } catch (thrown) {
        const error = toFuseError(thrown);
        if (isKept(error)) {
          const wire = toWire(error);
          await this.settle(bucket, entryKey, revision, call, { state: "done", input, reply: { error: wire.body, status: error.status }, expires: Date.now() + call.ttlMs });
        } else {
          // The next repeat runs the handler again: it was asked to try again.
          await bucket.deleteIf(entryKey, revision).catch(() => undefined);
        }
        throw thrown;
      }
    })();
    this.running.set(entryKey, run);
    try {
      return await run;
    } finally {
      this.running.delete(entryKey);
    }
  }

  /** Stores the reply over this run's claim; one taken over meanwhile keeps the other's. */
  private async settle(bucket: KeyValueBucket, entryKey: string, revision: number, call: IdempotentCall, record: ReplyRecord): Promise<void> {
    try {
      const stored = await bucket.putIf(entryKey, encoder.encode(JSON.stringify(record)), revision);
      if (!stored.ok) this.options.log.warn({ endpoint: call.endpoint, traceId: call.traceId }, "idempotent reply not stored: the claim was taken over");
    } catch (error) {
      // The caller still gets this reply; a repeat may run the handler again.
      this.options.log.error({ err: error, code: toFuseError(error).code, endpoint: call.endpoint, traceId: call.traceId }, "idempotent reply not stored");
    }
  }

  /** Whether a running claim will never finish: its owner left the bus, or its deadline is long past. */
  private async abandoned(record: Extract<ReplyRecord, { state: "running" }>): Promise<boolean> {
    if (record.until + ABANDONED_AFTER_MS < Date.now()) return true;
    if (record.owner === this.options.owner()) return false;
    try {
      await this.options.transport.request(`${servicePingSubject(this.options.actor)}.${record.owner}`, "", { timeoutMs: PING_TIMEOUT_MS, headers: {} });
      return false;
    } catch (error) {
      // Only the bus's "no responders" says the owner is gone; a slow answer may be a busy owner.
      return error instanceof FuseError && error.code === ErrorCode.NO_LIVE_INSTANCE;
    }
  }
}

function parseRecord(entry: KeyValueEntry): ReplyRecord | undefined {
  try {
    return JSON.parse(decoder.decode(entry.value)) as ReplyRecord;
  } catch {
    return undefined;
  }
}

function replay(reply: StoredReply): unknown {
  if ("output" in reply) return reply.output;
  throw fromWire(reply.error, reply.status);
}
