import { DeadlineExceededError } from "../errors/index.ts";

interface Pending<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
  expires: number;
  subject: string;
  /** The instance that sent a receipt for it, when receipts are on. */
  holder?: string;
  /** When it was sent (epoch ms). */
  sentAt: number;
}

const SWEEP_MS = 10;

/**
 * Requests waiting for a reply, keyed by a sequence number. One sweep timer runs while any
 * request is pending, instead of a timer per request: on the hot path that saves a timer
 * allocation and a clearTimeout per call.
 */
export class PendingRequests<T> {
  private readonly pending = new Map<number, Pending<T>>();
  private seq = 0;
  private sweeper: NodeJS.Timeout | undefined;

  get size(): number {
    return this.pending.size;
  }

  add(subject: string, timeoutMs: number): { id: number; promise: Promise<T> } {
    const id = ++this.seq;
    const promise = new Promise<T>((resolve, reject) => {
      const now = Date.now();
      this.pending.set(id, { resolve, reject, expires: now + timeoutMs, subject, sentAt: now });
    });
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
      this.sweeper.unref();
    }
    return { id, promise };
  }

  resolve(id: number, value: T): void {
    const entry = this.take(id);
    entry?.resolve(value);
  }

  /** Rejects one request with the error `makeError` builds from its subject. */
  reject(id: number, makeError: (subject: string) => unknown): void {
    const entry = this.take(id);
    entry?.reject(makeError(entry.subject));
  }

  /** Notes which instance took the request (its receipt). */
  heldBy(id: number, instance: string): void {
    const entry = this.pending.get(id);
    if (entry) entry.holder = instance;
  }

  /** Rejects every request the instance took; returns how many. */
  rejectHeldBy(instance: string, makeError: (subject: string) => unknown): number {
    let count = 0;
    for (const [id, entry] of this.pending) {
      if (entry.holder !== instance) continue;
      this.pending.delete(id);
      entry.reject(makeError(entry.subject));
      count++;
    }
    return count;
  }

  /** Rejects every request to a subject starting with `prefix`, sent before `before`, that no instance took; returns how many. */
  rejectUntaken(prefix: string, before: number, makeError: (subject: string) => unknown): number {
    let count = 0;
    for (const [id, entry] of this.pending) {
      if (entry.holder !== undefined || entry.sentAt > before || !entry.subject.startsWith(prefix)) continue;
      this.pending.delete(id);
      entry.reject(makeError(entry.subject));
      count++;
    }
    return count;
  }

  /** Rejects every request to exactly `subject`; returns how many. */
  rejectSubject(subject: string, makeError: (subject: string) => unknown): number {
    let count = 0;
    for (const [id, entry] of this.pending) {
      if (entry.subject !== subject) continue;
      this.pending.delete(id);
      entry.reject(makeError(entry.subject));
      count++;
    }
    return count;
  }

  rejectAll(makeError: (subject: string) => unknown): void {
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      entry.reject(makeError(entry.subject));
    }
    this.stopSweeper();
  }

  private take(id: number): Pending<T> | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    // The sweeper stops itself once idle; stopping it here would re-arm a timer per call.
    return entry;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.pending) {
      if (entry.expires > now) continue;
      this.pending.delete(id);
      entry.reject(new DeadlineExceededError(`no reply from ${entry.subject} before the deadline`));
    }
    if (this.pending.size === 0) this.stopSweeper();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
