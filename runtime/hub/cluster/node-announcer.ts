import type { KeyValueBucket } from "../../bus/index.ts";
import type { Logger } from "../../log/index.ts";
import type { NodeRecord } from "../../protocol/index.ts";

const encoder = new TextEncoder();
const encode = (text: string) => encoder.encode(text);

export interface NodeAnnouncerOptions {
  bucket: KeyValueBucket;
  /** The record as it is now (actors, leases, gateway): read at every write. */
  record(): Promise<Omit<NodeRecord, "at" | "intervalMs">>;
  /** Publishes the record on plain NATS (the heartbeat other nodes judge liveness by). */
  heartbeat(record: NodeRecord): void;
  intervalMs?: number;
  log: Logger;
}

/**
 * Every interval, publishes this node's record as a heartbeat on plain NATS and writes it
 * under its name in the nodes bucket, so any node (and `fuse nodes ls`, `fuse actors ls`) sees
 * every node, its actors and when it was last heard of. The two are apart: a bucket write that
 * waits while JetStream re-elects after a node loss must not silence the heartbeat, or every
 * node would look lost just then.
 */
export class NodeAnnouncer {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  readonly intervalMs: number;

  constructor(private readonly options: NodeAnnouncerOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
  }

  start(): Promise<void> {
    this.timer = setInterval(() => void this.announce(), this.intervalMs);
    return this.announce();
  }

  async announce(extra: Partial<NodeRecord> = {}): Promise<void> {
    let record: NodeRecord;
    try {
      record = { ...(await this.options.record()), at: Date.now(), intervalMs: this.intervalMs, ...extra };
      this.options.heartbeat(record);
    } catch (err) {
      this.options.log.debug({ err }, "node heartbeat not sent");
      return;
    }
    // One bucket write at a time: a slow write is not queued behind by a pile of others.
    this.writing ??= this.options.bucket
      .put(record.name, encode(JSON.stringify(record)))
      .then(
        () => undefined,
        (err: unknown) => this.options.log.debug({ err }, "node record not written"),
      )
      .finally(() => (this.writing = undefined));
    return this.writing;
  }

  /** Stops announcing and marks the node stopped, so it shows as such rather than lost. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
    await this.announce({ stopped: true });
  }
}
