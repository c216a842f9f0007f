import type { Logger } from "pino";
import type { ShipCounts, ShipLine, ShipTarget } from "./ship-target.ts";

/** One collector, as `logging.ship` in fuse.yaml describes it (defaults applied). */
export type LogShipOptions =
  | { type: "loki"; url: string; labels: Record<string, string>; maxBufferedLines: number }
  | { type: "fluentd"; host: string; port: number; tag: string; maxBufferedLines: number };

const LEVEL_NAMES: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

/**
 * Sends every line the hub writes to the log files to outside collectors as well. `ship` only
 * queues (it runs for every line of every process, in the hub that reads their output), so an
 * actor never waits on a collector, and a collector that is away costs bounded memory.
 */
export class LogShipper {
  private constructor(private readonly targets: ShipTarget[]) {}

  /**
   * The collectors' clients load here, on demand: every actor imports this module (through the
   * log module's index) and none of them ships. (A bundle inlines the local modules imported
   * below; each sender imports its package dynamically itself.)
   */
  static async create(collectors: LogShipOptions[], log: Logger): Promise<LogShipper> {
    const seen = new Map<string, number>();
    const targets = await Promise.all(
      collectors.map(async (c): Promise<ShipTarget> => {
        // The metric label: the type, numbered from the second of a type on (bounded by the config).
        const n = (seen.get(c.type) ?? 0) + 1;
        seen.set(c.type, n);
        const name = n === 1 ? c.type : `${c.type}-${n}`;
        const { ShipQueue } = await import("./ship-queue.ts");
        if (c.type === "loki") return new ShipQueue(new (await import("./loki-sender.ts")).LokiSender(c), { name, maxBufferedLines: c.maxBufferedLines, log });
        const { FluentdSender } = await import("./fluentd-sender.ts");
        let queue: InstanceType<typeof ShipQueue> | undefined;
        const sender = await FluentdSender.create({ ...c, onError: (err) => queue?.noteFailure(err) });
        queue = new ShipQueue(sender, { name, maxBufferedLines: c.maxBufferedLines, log });
        return queue;
      }),
    );
    return new LogShipper(targets);
  }

  /** Queues one line (JSON, already redacted) of `actor`'s output for every collector. */
  ship(actor: string, json: string): void {
    if (this.targets.length === 0) return;
    const line = shipLineOf(actor, json);
    for (const target of this.targets) target.ship(line);
  }

  counts(): ShipCounts[] {
    return this.targets.map((t) => t.counts());
  }

  async close(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.close()));
  }
}

function shipLineOf(actor: string, json: string): ShipLine {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(json);
    record = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { msg: json };
  } catch {
    // A line that starts like JSON but is not: shipped as its text, as the log file has it.
    record = { actor, msg: json };
  }
  const level = typeof record.lvl === "string" ? record.lvl : (LEVEL_NAMES[record.level as number] ?? "info");
  const timeMs = typeof record.time === "number" ? record.time : Date.now();
  return { actor, json, record, timeMs, level };
}
