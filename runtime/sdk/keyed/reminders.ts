import type { Logger } from "../../log/index.ts";
import { toFuseError } from "../../errors/index.ts";
import { partitionOf } from "../../protocol/index.ts";
import type { KeyValue } from "../stores/key-value.ts";
import { keyOfEntry, recordKey, timerFilter, type KeyRecord, type StoredReminder } from "./keyed-records.ts";

const CHECK_EVERY_MS = 100;

export interface RemindersOptions {
  kv: KeyValue;
  log: Logger;
  /** Runs the reminders of `key` due by `now` in a turn of the key. */
  fire(key: string, now: number): Promise<void>;
}

/**
 * When the keys of this instance's partitions are next due. Reminders are stored with their
 * key's state, so firing one and moving it to its next due time is one revision-checked write:
 * whichever instance owns the key when it is due fires it, and once (a turn whose write lost
 * to a newer owner counts as not having happened). The `t.<partition>.<key>` hints tell a new
 * owner which keys to look at.
 */
export class Reminders {
  private readonly due = new Map<string, number>();
  private readonly firing = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: RemindersOptions) {
    this.timer = setInterval(() => this.check(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  /** Notes the key's reminders as now stored (none: forgets the key). */
  schedule(key: string, reminders: Record<string, StoredReminder>): void {
    const times = Object.values(reminders).map((r) => r.dueAt);
    if (times.length) this.due.set(key, Math.min(...times));
    else this.due.delete(key);
  }

  /** Reads the reminders of a partition this instance just took. */
  async load(partition: number): Promise<void> {
    const { kv } = this.options;
    try {
      for (const hint of await kv.keys(timerFilter(partition))) {
        const key = keyOfEntry(hint);
        const record = await kv.get<KeyRecord>(recordKey(key));
        if (record?.r && Object.keys(record.r).length) this.schedule(key, record.r);
        else await kv.delete(hint).catch(() => undefined);
      }
    } catch (err) {
      this.options.log.warn({ err, code: toFuseError(err).code, partition }, "keyed reminders not loaded");
    }
  }

  dropPartition(partition: number): void {
    for (const key of this.due.keys()) if (partitionOf(key) === partition) this.due.delete(key);
  }

  private check(): void {
    const now = Date.now();
    for (const [key, at] of this.due) {
      if (at > now || this.firing.has(key)) continue;
      this.firing.add(key);
      this.options
        .fire(key, now)
        .catch((err: unknown) => this.options.log.warn({ err, code: toFuseError(err).code, key }, "keyed reminder failed"))
        .finally(() => this.firing.delete(key));
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.due.clear();
  }
}
