import type { KeyValueBucket } from "../../bus/index.ts";
import type { Logger } from "../../log/index.ts";

const encoder = new TextEncoder();
const encode = (text: string) => encoder.encode(text);

export interface KvLeaseOptions {
  /** The cluster's lease bucket (replicated: a write needs a quorum of nodes). */
  bucket: KeyValueBucket;
  /** One key per singleton: `schedules`, `taskmaster`. */
  key: string;
  /** This node's name: what the lease's value says. */
  holder: string;
  /** Unrenewed this long, a lease is taken over; renewed every third of it. Default 3000. */
  ttlMs?: number;
  log: Logger;
  /** The singleton is this node's now. */
  onGained(): void;
  /** It is not (lost to another node, or not renewed in time, or given up at stop). */
  onLost(): void;
  /** A monotonic clock in ms; default performance.now. */
  now?: () => number;
}

export interface LeaseValue {
  holder: string;
  /** Epoch ms of the write, for people reading it (takeover never compares clocks of two hosts). */
  at: number;
}

/**
 * One holder cluster-wide of a singleton, by a JetStream KV key written only with the revision
 * last read (create when absent, update otherwise), so of two nodes reaching for it exactly one
 * wins. The holder renews it every third of the TTL. Another node takes it over when it saw the
 * same revision for a whole TTL by its own monotonic clock: no comparison of two hosts' clocks.
 * The holder steps down on its own when no renewal succeeded for 0.7 TTL (a node cut off from
 * the quorum stops before anyone else may start), and deletes the key at a clean stop so the
 * next node takes over at once.
 */
export class KvLease {
  private readonly ttlMs: number;
  private readonly now: () => number;
  private revision: number | undefined;
  private renewedAt = 0;
  private seen: { revision: number; at: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private stopped = false;

  constructor(private readonly options: KvLeaseOptions) {
    this.ttlMs = options.ttlMs ?? 3000;
    this.now = options.now ?? (() => performance.now());
  }

  /** Whether this node holds the lease now. */
  get held(): boolean {
    return this.revision !== undefined;
  }

  /** The revision of this node's last write of the lease while it holds it: grows with every write, by any holder. */
  get term(): number | undefined {
    return this.revision;
  }

  start(): void {
    void this.round();
    this.timer = setInterval(() => void this.round(), Math.max(50, Math.floor(this.ttlMs / 3)));
  }

  /** One round: renew or try to take; also the holder's own expiry check, even while a write hangs. */
  async round(): Promise<void> {
    if (this.stopped) return;
    if (this.held && this.now() - this.renewedAt > this.ttlMs * 0.7) this.lose("not renewed in time");
    if (this.busy) return;
    this.busy = true;
    try {
      if (this.held) await this.renew();
      else await this.tryTake();
    } catch (err) {
      this.options.log.debug({ err, lease: this.options.key }, "lease round failed");
    } finally {
      this.busy = false;
    }
  }

  private value(): string {
    return JSON.stringify({ holder: this.options.holder, at: Date.now() } satisfies LeaseValue);
  }

  private async renew(): Promise<void> {
    const sent = this.now();
    const result = await this.options.bucket.putIf(this.options.key, encode(this.value()), this.revision!);
    if (this.stopped || !this.held) return;
    if (result.ok) {
      this.revision = result.revision;
      this.renewedAt = sent;
    } else this.lose("taken by another node");
  }

  private async tryTake(): Promise<void> {
    const entry = await this.options.bucket.get(this.options.key);
    const now = this.now();
    let expected: number | undefined;
    if (!entry) expected = 0;
    else if (this.seen?.revision !== entry.revision) this.seen = { revision: entry.revision, at: now };
    else if (now - this.seen.at >= this.ttlMs) expected = entry.revision;
    if (expected === undefined) return;
    const result = await this.options.bucket.putIf(this.options.key, encode(this.value()), expected);
    if (!result.ok || this.stopped) return;
    this.revision = result.revision;
    this.renewedAt = now;
    this.seen = undefined;
    this.options.log.info({ lease: this.options.key, holder: this.options.holder }, "lease gained");
    this.options.onGained();
  }

  private lose(why: string): void {
    this.revision = undefined;
    this.options.log.warn({ lease: this.options.key, why }, "lease lost");
    this.options.onLost();
  }

  /** Stops taking part; a held lease is deleted (revision-checked) so another node takes it at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const revision = this.revision;
    if (revision === undefined) return;
    this.revision = undefined;
    this.options.onLost();
    await this.options.bucket.deleteIf(this.options.key, revision).catch((err: unknown) => this.options.log.debug({ err, lease: this.options.key }, "lease not released"));
  }
}
