/** A budget of `capacity` tokens refilled evenly over `perMs`. */
export interface BucketBudget {
  capacity: number;
  perMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets by key (a client address, a principal), in memory. A bucket that would be full
 * again is the same as none, so idle ones are dropped on a sweep (at most every `perMs`, or when
 * `maxKeys` is reached); if that is not enough the oldest go. Many keys cost memory only while
 * they are busy.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly msPerToken: number;
  private lastSweep = 0;

  constructor(
    private readonly budget: BucketBudget,
    private readonly maxKeys = 50_000,
  ) {
    this.msPerToken = budget.perMs / budget.capacity;
  }

  private level(bucket: Bucket, now: number): number {
    return Math.min(this.budget.capacity, bucket.tokens + (now - bucket.at) / this.msPerToken);
  }

  /** Takes a token for `key`: 0 when taken, else the ms until one is there (nothing taken). */
  take(key: string, now = Date.now()): number {
    const bucket = this.buckets.get(key);
    if (!bucket) {
      this.sweep(now);
      this.buckets.set(key, { tokens: this.budget.capacity - 1, at: now });
      return 0;
    }
    const tokens = this.level(bucket, now);
    bucket.at = now;
    if (tokens >= 1) {
      bucket.tokens = tokens - 1;
      return 0;
    }
    bucket.tokens = tokens;
    return Math.ceil((1 - tokens) * this.msPerToken);
  }

  /** Ms until `key` has a token again, 0 when it has one; takes nothing. */
  waitMs(key: string, now = Date.now()): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    const tokens = this.level(bucket, now);
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) * this.msPerToken);
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    const full = this.buckets.size >= this.maxKeys;
    if (!full && now - this.lastSweep < this.budget.perMs) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) if (this.level(bucket, now) >= this.budget.capacity) this.buckets.delete(key);
    // Still full of busy keys: the oldest make room (Map keeps insertion order).
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}
