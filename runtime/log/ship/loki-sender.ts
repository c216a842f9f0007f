import type { ShipLine } from "./ship-target.ts";
import type { SendResult, Sender } from "./ship-queue.ts";

export interface LokiSenderOptions {
  /** Loki's address; lines go to `<url>/loki/api/v1/push`. */
  url: string;
  /** Labels on every stream besides `job`, `actor` and `level`. */
  labels: Record<string, string>;
}

const PUSH_PATH = "loki/api/v1/push";
const TIMEOUT_MS = 5000;

/**
 * Loki's push API, JSON as Loki documents it: one stream per actor and level (labels with few
 * values), each value the line as written to the log file. A 4xx other than 429 refuses the
 * batch: the same lines would be refused again.
 */
export class LokiSender implements Sender {
  private readonly pushUrl: string;

  constructor(private readonly options: LokiSenderOptions) {
    this.pushUrl = new URL(PUSH_PATH, options.url.endsWith("/") ? options.url : `${options.url}/`).href;
  }

  async send(batch: ShipLine[]): Promise<SendResult> {
    try {
      const response = await fetch(this.pushUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ streams: streamsOf(batch, this.options.labels) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (response.ok) return { retry: [], refused: 0 };
      const body = (await response.text().catch(() => "")).slice(0, 200);
      const error = new Error(`Loki answered ${response.status}: ${body}`);
      const refused = response.status >= 400 && response.status < 500 && response.status !== 429;
      return refused ? { retry: [], refused: batch.length, error } : { retry: batch, refused: 0, error };
    } catch (error) {
      return { retry: batch, refused: 0, error };
    }
  }

  async close(): Promise<void> {}
}

interface LokiStream {
  stream: Record<string, string>;
  values: [string, string][];
}

function streamsOf(batch: ShipLine[], labels: Record<string, string>): LokiStream[] {
  const streams = new Map<string, LokiStream>();
  for (const line of batch) {
    const key = `${line.actor}\u0000${line.level}`;
    let stream = streams.get(key);
    if (!stream) {
      stream = { stream: { ...labels, job: "fuse", actor: line.actor, level: line.level }, values: [] };
      streams.set(key, stream);
    }
    // Nanoseconds, as a string: past 2^53, so not as a number.
    stream.values.push([`${Math.trunc(line.timeMs)}000000`, line.json]);
  }
  return [...streams.values()];
}
