import type { Logger } from "pino";
import { OutageNotice } from "./outage-notice.ts";
import type { ShipCounts, ShipLine, ShipTarget } from "./ship-target.ts";

/** What a collector's client made of one batch. */
export interface SendResult {
  /** Lines to send again (the collector could not be reached, or did not confirm them). */
  retry: ShipLine[];
  /** Lines the collector refused outright: sending them again would not help. */
  refused: number;
  /** Why some were not sent, when some were not. */
  error?: unknown;
}

/** A collector's client: sends one batch, and never throws. */
export interface Sender {
  send(batch: ShipLine[]): Promise<SendResult>;
  close(): Promise<void>;
}

export interface ShipQueueOptions {
  /** The metric label. */
  name: string;
  maxBufferedLines: number;
  log: Logger;
  /** Lines per batch. Default 1000. */
  batchLines?: number;
  /** How long lines gather before a batch goes (unless a whole batch is waiting). Default 500 ms. */
  intervalMs?: number;
}

/** The longest wait between two tries while a collector is away (Fluentd's client reconnects as often). */
const MAX_RETRY_MS = 2000;

/**
 * The bounded queue in front of a collector. `ship` only appends: lines go in batches, one
 * batch at a time; while the collector is away a batch is retried with backoff, and new lines
 * push the oldest held ones out (counted as dropped), so the held lines, the batch in flight
 * included, never exceed the bound and nothing waits on the collector.
 */
export class ShipQueue implements ShipTarget {
  readonly name: string;
  private queue: ShipLine[] = [];
  private inFlight = 0;
  private shipped = 0;
  private dropped = 0;
  private retryMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private closed = false;
  private readonly notice: OutageNotice;
  private readonly batchLines: number;
  private readonly intervalMs: number;

  constructor(
    private readonly sender: Sender,
    private readonly options: ShipQueueOptions,
  ) {
    this.name = options.name;
    this.notice = new OutageNotice(options.log, options.name);
    this.batchLines = Math.min(options.batchLines ?? 1000, options.maxBufferedLines);
    this.intervalMs = options.intervalMs ?? 500;
  }

  ship(line: ShipLine): void {
    if (this.closed) return;
    this.queue.push(line);
    this.trim();
    this.schedule(this.queue.length >= this.batchLines && this.retryMs === 0 ? 0 : this.intervalMs);
  }

  counts(): ShipCounts {
    return { target: this.name, shipped: this.shipped, dropped: this.dropped, buffered: this.queue.length + this.inFlight };
  }

  /** The collector is told about the connection going only when the client says so; here: one last batch if it is up. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.sending && this.queue.length > 0 && this.retryMs === 0) this.flush();
    this.closed = true;
    await this.sender.close();
    await this.sending;
  }

  /** The collector's failures as the hub's warning, once per outage. */
  noteFailure(err: unknown): void {
    this.notice.failed(err, this.dropped);
  }

  private trim(): void {
    while (this.queue.length > 0 && this.queue.length + this.inFlight > this.options.maxBufferedLines) {
      this.queue.shift();
      this.dropped++;
    }
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.sending) return;
    if (this.timer && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, delayMs);
    this.timer.unref();
  }

  private flush(): void {
    if (this.sending || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.batchLines);
    this.inFlight = batch.length;
    this.sending = this.sender.send(batch).then((result) => {
      this.inFlight = 0;
      this.shipped += batch.length - result.retry.length - result.refused;
      this.dropped += result.refused;
      if (result.error === undefined) {
        this.retryMs = 0;
        this.notice.delivered(this.dropped);
      } else {
        this.queue.unshift(...result.retry);
        this.trim();
        this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs === 0 ? this.intervalMs : this.retryMs * 2);
        this.notice.failed(result.error, this.dropped);
      }
      this.sending = undefined;
      if (this.queue.length > 0) this.schedule(this.retryMs || (this.queue.length >= this.batchLines ? 0 : this.intervalMs));
    });
  }
}
