import { mkdirSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { openRotatingLog, redactSecrets, type LogShipper } from "../../log/index.ts";

const RECENT_LINES = 500;

export interface LogSinksOptions {
  dir: string;
  maxSize: string;
  maxFiles: number;
  /** Gets every line (JSON) with its actor, e.g. to show it in a terminal. */
  onLine?: (actor: string, line: string) => void;
}

/**
 * Where the processes' output goes: one rotating JSON-lines file per actor under
 * `.fuse/logs/`, a ring of recent lines for `hub.logs`, and an optional live listener.
 * The hub is the only writer of each file, so rotation never races between instances.
 */
export class LogSinks {
  private readonly files = new Map<string, Writable>();
  private readonly recent = new Map<string, string[]>();
  private shipper: LogShipper | undefined;

  constructor(private readonly options: LogSinksOptions) {
    mkdirSync(options.dir, { recursive: true });
  }

  /** Writes one line of an actor's process output. Lines that are not JSON are wrapped as JSON. */
  write(actor: string, line: string, extra: { instance?: number; stream?: "stdout" | "stderr" } = {}): void {
    if (!line.trim()) return;
    // Every process's output passes here: the one place that hides the config's secrets in all
    // of them (an actor may log its env, or an error quoting a connection string).
    const json = redactSecrets(line.startsWith("{") ? line : wrap(actor, line, extra));
    let file = this.files.get(actor);
    if (!file) {
      file = openRotatingLog(path.join(this.options.dir, `${actor}.log`), this.options);
      this.files.set(actor, file);
    }
    file.write(`${json}\n`);
    this.shipper?.ship(actor, json);
    const ring = this.recent.get(actor) ?? [];
    ring.push(json);
    if (ring.length > RECENT_LINES) ring.splice(0, ring.length - RECENT_LINES);
    this.recent.set(actor, ring);
    this.options.onLine?.(actor, json);
  }

  /** From now on every line also goes to `logging.ship`'s collectors (the same redacted JSON). */
  shipTo(shipper: LogShipper): void {
    this.shipper = shipper;
  }

  lines(actor: string, count: number): string[] {
    return (this.recent.get(actor) ?? []).slice(-count);
  }

  /** A stream for a pino logger in the hub's own process, written as actor `name`. */
  streamFor(actor: string): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, done) => {
        for (const line of chunk.toString().split("\n")) this.write(actor, line);
        done();
      },
    });
  }

  async close(): Promise<void> {
    // The collectors get what the hub held (for a short while) before the files close.
    await this.shipper?.close();
    this.shipper = undefined;
    await Promise.all(
      [...this.files.values()].map((f) => new Promise<void>((resolve) => f.end(() => resolve()))),
    );
    this.files.clear();
  }
}

function wrap(actor: string, line: string, extra: { instance?: number; stream?: string }): string {
  const level = extra.stream === "stderr" ? 50 : 30;
  return JSON.stringify({ level, time: Date.now(), actor, instance: extra.instance, stream: extra.stream, msg: line });
}
