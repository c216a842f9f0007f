import type { Logger } from "../../log/index.ts";
import { FuseError, toFuseError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";
import type { Statement } from "../../sdk/internal.ts";
import { mergeRows } from "./row-upserts.ts";
import type { RunStore } from "./run-store.ts";

export interface RunWriterOptions {
  /** Longest a change waits before it is written, in ms. Default 20. */
  intervalMs?: number;
}

interface QueueOptions {
  /** Writes without waiting for the interval. */
  immediate?: boolean;
  /**
   * A record likely to be replaced soon (a step's first `running`): left out of immediate
   * writes until it has waited one interval, so that it is written at most once per interval
   * rather than with every other run's end; a fast step then costs one row write, not two.
   */
  deferred?: boolean;
}

interface Pending {
  statement: Statement;
  waiters: { resolve(): void; reject(error: unknown): void }[];
  /** Set for a record that may wait for the interval even when another write goes at once: when it was queued. */
  deferredSince?: number;
}

/**
 * Writes run and step records behind the machines, in order, coalesced: a record changed
 * twice before the next write is written once, and everything pending (across runs) goes in
 * one batch, at most every `intervalMs`, with the rows of one table merged (`mergeRows`).
 * Losing the last writes in a crash is safe: a step not recorded as finished is re-run with
 * the same idempotency key.
 */
export class RunWriter {
  private pending = new Map<string, Pending>();
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalMs: number;
  private urgent = false;
  /** Set while waiting to retry after the store could not be reached. */
  private retrying = false;

  constructor(
    private readonly store: RunStore,
    private readonly log: Logger,
    options: RunWriterOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 20;
  }

  /**
   * Queues a statement under `key`; a later one with the same key replaces it. Resolves
   * once it is written; rejects when it could not be (the error is also logged).
   */
  put(key: string, statement: Statement, options: QueueOptions = {}): Promise<void> {
    const waiters = this.pending.get(key)?.waiters ?? [];
    const written = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    // A caller may drop it: a failure is logged in `write`.
    written.catch(() => undefined);
    this.enqueue(key, { statement, waiters }, options);
    return written;
  }

  /**
   * Replaces the statement of a record still waiting under `key` (its waiters kept) and
   * resolves once that is written; undefined when none waits (written, or being written).
   * The statement is built only when it will be used.
   */
  amend(key: string, statement: () => Statement, options: QueueOptions = {}): Promise<void> | undefined {
    return this.pending.has(key) ? this.put(key, statement(), options) : undefined;
  }

  /**
   * Queues a statement under `key` that nobody awaits, as `put` without the promise (a step's
   * records, several per step, are never awaited); a failure is logged in `write`.
   */
  queue(key: string, statement: Statement, options: QueueOptions = {}): void {
    this.enqueue(key, { statement, waiters: this.pending.get(key)?.waiters ?? [] }, options);
  }

  private enqueue(key: string, record: Pending, options: QueueOptions): void {
    if (options.deferred) record.deferredSince = performance.now();
    this.pending.set(key, record);
    if (options.immediate) {
      this.urgent = true;
      if (!this.writing && !this.retrying) void this.drain();
    } else {
      this.timer ??= setTimeout(() => void this.drain(), this.intervalMs);
    }
  }

  /** Resolves once everything queued before the call is written (or, the store being unreachable, after a few tries). */
  async flush(): Promise<void> {
    for (let round = 0; round < 4 && (this.writing || this.pending.size); round++) await (this.writing ?? this.drain(true));
  }

  private drain(all = false): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.retrying = false;
    if (this.writing) return this.writing;
    if (!this.pending.size) return Promise.resolve();
    const batch = this.take(all);
    if (!batch.length) {
      this.timer = setTimeout(() => void this.drain(), this.intervalMs);
      return Promise.resolve();
    }
    this.urgent = false;
    this.writing = this.write(batch).finally(() => {
      this.writing = undefined;
      if (this.urgent && !this.retrying) void this.drain();
      else if (this.pending.size) this.timer ??= setTimeout(() => void this.drain(), this.intervalMs);
    });
    return this.writing;
  }

  /** Takes the pending records in the order queued: all of them, or all but the deferred ones younger than an interval. */
  private take(all: boolean): Pending[] {
    const due: Pending[] = [];
    const youngerThan = performance.now() - this.intervalMs;
    for (const [key, p] of this.pending) {
      if (!all && p.deferredSince !== undefined && p.deferredSince > youngerThan) continue;
      due.push(p);
      this.pending.delete(key);
    }
    return due;
  }

  // A batch is one transaction. When the database refuses it (an SQL error), each record is
  // tried alone so one bad record does not lose the others. When the database cannot be
  // reached, records nobody waits for are queued again and retried later; records someone
  // awaits (a new run) fail, so that their caller hears of it.
  private async write(batch: Pending[]): Promise<void> {
    try {
      await this.store.write(mergeRows(batch.map((p) => p.statement)));
      for (const p of batch) for (const w of p.waiters) w.resolve();
      return;
    } catch (err) {
      if (!isSqlError(err)) return this.requeue(batch, err);
      if (batch.length === 1) {
        this.log.error({ err, code: toFuseError(err).code }, "run record not written");
        for (const w of batch[0]!.waiters) w.reject(err);
        return;
      }
    }
    for (const p of batch) await this.write([p]);
  }

  private requeue(batch: Pending[], err: unknown): void {
    this.log.warn({ err, code: toFuseError(err).code, records: batch.length, retryInMs: RETRY_MS }, "run store unreachable");
    const fresh = this.pending;
    this.pending = new Map();
    batch.forEach((p, i) => {
      if (p.waiters.length) p.waiters.forEach((w) => w.reject(err));
      else this.pending.set(`retry:${i}`, p);
    });
    // Newer records of the same keys come after the older ones, so they win.
    for (const [key, p] of fresh) this.pending.set(key, p);
    clearTimeout(this.timer);
    this.retrying = true;
    this.timer = setTimeout(() => void this.drain(), RETRY_MS);
  }
}

const RETRY_MS = 1000;

/**
 * An error the database answered with (libsql's LibsqlError codes start with SQLITE_, and a
 * constraint it enforced is CONFLICT), not a failure to reach it.
 */
function isSqlError(err: unknown): boolean {
  if (err instanceof FuseError && err.code === ErrorCode.CONFLICT) return true;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("SQLITE");
}
