import type { Transport } from "../../bus/index.ts";
import type { Logger } from "../../log/index.ts";
import { nodeHeartbeatSubject, nodeRecordSchema, type NodeRecord } from "../../protocol/index.ts";

const decoder = new TextDecoder();

/** Silent for this many of its own intervals, a node is lost. */
const LOST_AFTER_INTERVALS = 3;

export interface NodeLivenessOptions {
  transport: Pick<Transport, "subscribe">;
  prefix: string;
  /** This node's announcing interval: the view is trusted once it is three of them old. */
  intervalMs: number;
  log: Logger;
  /** Called when a node is lost, comes back or joins, so a decision can follow at once. */
  onChange?(): void;
  /** A monotonic clock in ms; default performance.now. */
  now?: () => number;
}

/**
 * Which nodes are live, from the heartbeats every node publishes on plain NATS each interval
 * (node-announcer.ts). Plain NATS keeps flowing while JetStream re-elects the leaders a lost
 * node held, which takes seconds: a view read from the replicated nodes bucket would stall
 * just then, or see every node fall quiet at once. Each node keeps this view from its start,
 * so the node that gains the placement lease decides at once instead of first watching for
 * three intervals. Loss is judged by this node's own clock only: no two hosts' clocks meet.
 */
export class NodeLiveness {
  private readonly heard = new Map<string, { record: NodeRecord; at: number }>();
  private readonly lost = new Set<string>();
  private readonly now: () => number;
  private readonly since: number;
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: NodeLivenessOptions) {
    this.now = options.now ?? (() => performance.now());
    this.since = this.now();
  }

  start(): void {
    this.unsubscribe = this.options.transport.subscribe(nodeHeartbeatSubject(this.options.prefix, "*"), (message) => {
      try {
        const parsed = nodeRecordSchema.safeParse(JSON.parse(decoder.decode(message.data)));
        if (parsed.success) this.hear(parsed.data);
      } catch {
        // Not a record: ignored, as a record that does not parse is.
      }
    });
    this.timer = setInterval(() => this.check(), this.options.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.unsubscribe?.();
  }

  /** Takes one heartbeat; exposed for tests. */
  hear(record: NodeRecord): void {
    const known = this.heard.get(record.name);
    this.heard.set(record.name, { record, at: this.now() });
    if (record.stopped) {
      if (known && !known.record.stopped) this.options.log.info({ node: record.name }, "node stopped");
      this.options.onChange?.();
      return;
    }
    if (!known || known.record.stopped || this.lost.delete(record.name)) {
      this.options.log.info({ node: record.name, address: record.address }, known ? "node back" : "node joined");
      this.options.onChange?.();
    }
  }

  /**
   * The live nodes' latest records, or undefined while this view is younger than the silence
   * that counts as loss (a node heard of by then may simply not have spoken yet).
   */
  live(): NodeRecord[] | undefined {
    const now = this.now();
    if (now - this.since < this.options.intervalMs * LOST_AFTER_INTERVALS) return undefined;
    return [...this.heard.values()].filter(({ record, at }) => !record.stopped && !isSilent(record, at, now)).map(({ record }) => record);
  }

  /** Says once, for each node that fell silent, that it is lost; exposed for tests. */
  check(): void {
    const now = this.now();
    for (const [name, { record, at }] of this.heard) {
      if (record.stopped || this.lost.has(name) || !isSilent(record, at, now)) continue;
      this.lost.add(name);
      this.options.log.warn({ node: name, silentMs: Math.round(now - at) }, "node lost");
      this.options.onChange?.();
    }
  }
}

function isSilent(record: NodeRecord, heardAt: number, now: number): boolean {
  return now - heardAt > record.intervalMs * LOST_AFTER_INTERVALS;
}
