import type { EventTime as EventTimeClass, FluentClient } from "@fluent-org/logger";
import type { ShipLine } from "./ship-target.ts";
import type { SendResult, Sender } from "./ship-queue.ts";

export interface FluentdSenderOptions {
  host: string;
  port: number;
  /** Each actor's lines are tagged `<tag>.<actor>`. */
  tag: string;
  /** Told of each connection error (the queue warns once per outage). */
  onError: (err: unknown) => void;
}

const ACK_TIMEOUT_MS = 5000;
const CLOSE_WAIT_MS = 2000;

/**
 * Fluentd's forward protocol through the Fluent project's own client: PackedForward (one packet
 * per tag in a batch), an ack asked for each packet so a line counts as shipped only once
 * Fluentd has it, reconnects with a backoff capped at 2 s. The client's own queue holds only
 * the batch in flight (its limits drop a whole tag's packet at once, so the bound is kept by the
 * ship queue in front of it, a line at a time).
 */
export class FluentdSender implements Sender {
  private constructor(
    private readonly client: FluentClient,
    private readonly eventTime: typeof EventTimeClass,
  ) {}

  /**
   * The client package loads here, when a hub ships to Fluentd: a bundle inlines a local
   * module imported on demand, but keeps a package's dynamic import dynamic.
   */
  static async create(options: FluentdSenderOptions): Promise<FluentdSender> {
    const { EventTime, FluentClient, FluentSocketEvent } = await import("@fluent-org/logger");
    const client = new FluentClient(options.tag, {
      eventMode: "PackedForward",
      socket: { host: options.host, port: options.port, reconnect: { delay: 250, backoff: 2, maxDelay: 2000 } },
      ack: { ackTimeout: ACK_TIMEOUT_MS },
      milliseconds: true,
      disconnect: { waitForPending: true, waitForPendingDelay: CLOSE_WAIT_MS },
    });
    client.socketOn(FluentSocketEvent.ERROR, options.onError);
    return new FluentdSender(client, EventTime);
  }

  /** Waits while the collector is away (the client reconnects and then sends); fails only lines it gave up on. */
  async send(batch: ShipLine[]): Promise<SendResult> {
    const results = await Promise.allSettled(batch.map((line) => this.client.emit(line.actor, line.record, this.eventTime.fromTimestamp(line.timeMs))));
    const retry = batch.filter((_, i) => results[i]!.status === "rejected");
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    return failed ? { retry, refused: 0, error: failed.reason } : { retry, refused: 0 };
  }

  async close(): Promise<void> {
    await this.client.shutdown();
  }
}
