import type { KeyValueBucket } from "../../bus/index.ts";
import type { Logger } from "../../log/index.ts";
import type { NodeRecord } from "../../protocol/index.ts";

const encoder = new TextEncoder();
const encode = (text: string) => encoder.encode(text);

export interface NodeAnnouncerOptions {
  bucket: KeyValueBucket;
  /** The record as it is now (actors, leases, gateway): read at every write. */
  record(): Promise<Omit<NodeRecord, "at" | "intervalMs">>;
  intervalMs?: number;
  log: Logger;
}

/**
 * Writes this node's record under its name in the nodes bucket every interval, so any node
 * (and `fuse nodes ls`, `fuse actors ls`) sees every node, its actors and when it was last
 * heard of. One small write per node per interval: no node talks to every other.
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

  announce(extra: Partial<NodeRecord> = {}): Promise<void> {
    // One write at a time: a slow write is not queued behind by a pile of others.
    this.writing ??= (async () => {
      try {
        const record: NodeRecord = { ...(await this.options.record()), at: Date.now(), intervalMs: this.intervalMs, ...extra };
        await this.options.bucket.put(record.name, encode(JSON.stringify(record)));
      } catch (err) {
        this.options.log.debug({ err }, "node record not written");
      } finally {
        this.writing = undefined;
      }
    })();
    return this.writing;
  }

  /** Stops writing and marks the node stopped, so it shows as such rather than lost. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
    await this.announce({ stopped: true });
  }
}
