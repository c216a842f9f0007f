import { ConfigError, UnavailableError } from "../../errors/index.ts";
import { ErrorCode } from "../../protocol/index.ts";

/** `defineEndpoint({ concurrency, queue })`: the endpoint's bulkhead on each instance. */
export interface BulkheadOptions {
  /** Handler runs at the same time on one instance. */
  concurrency: number;
  /** Requests that may wait for a free run; beyond them OVERLOADED at once. Default 0. */
  queue?: number;
}

/**
 * At most `concurrency` runs at once, `queue` more waiting in order, and every further request
 * refused at once with OVERLOADED (503, retryable): a slow endpoint then holds only its own
 * share of an instance, and the instance's other endpoints keep answering.
 */
export class Bulkhead {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** Requests refused because runs and queue were full. */
  rejected = 0;

  constructor(
    private readonly where: string,
    private readonly concurrency: number,
    private readonly queue: number,
  ) {}

  /** Runs `work` when a run is free; throws OVERLOADED at once when none is and the queue is full. */
  run<T>(work: () => T | Promise<T>): T | Promise<T> {
    if (this.active < this.concurrency) return this.hold(work);
    if (this.waiting.length >= this.queue) {
      this.rejected++;
      throw new UnavailableError(
        `${this.where}: ${this.active} requests running and ${this.waiting.length} waiting, its bulkhead's limit (concurrency ${this.concurrency}, queue ${this.queue}); retry shortly`,
        { code: ErrorCode.OVERLOADED, details: { concurrency: this.concurrency, queue: this.queue } },
      );
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.hold(work, true));
  }

  private hold<T>(work: () => T | Promise<T>, handedOver = false): T | Promise<T> {
    // A waiter handed a run by `release` already counts in `active`.
    if (!handedOver) this.active++;
    let result: T | Promise<T>;
    try {
      result = work();
    } catch (error) {
      this.release();
      throw error;
    }
    if (typeof (result as PromiseLike<T> | null)?.then === "function") return Promise.resolve(result).finally(() => this.release());
    this.release();
    return result;
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  toJSON() {
    return { running: this.active, queued: this.waiting.length, rejected: this.rejected };
  }
}

/** Checks a bulkhead's options at definition. */
export function checkBulkhead(where: string, concurrency: unknown, queue: unknown): void {
  if (concurrency === undefined) {
    if (queue !== undefined) throw new ConfigError(`${where}: queue needs concurrency, the number of runs at once`);
    return;
  }
  if (!Number.isInteger(concurrency) || (concurrency as number) < 1) {
    throw new ConfigError(`${where}: concurrency must be a positive integer, got ${JSON.stringify(concurrency)}`);
  }
  if (queue !== undefined && (!Number.isInteger(queue) || (queue as number) < 0)) {
    throw new ConfigError(`${where}: queue must be an integer of 0 or more, got ${JSON.stringify(queue)}`);
  }
}
