/** One line of a process's output, as the hub hands it to every collector. */
export interface ShipLine {
  /** The actor (or `hub`) whose output it is. */
  actor: string;
  /** The line as written to the actor's log file: JSON, secrets already redacted. */
  json: string;
  /** The same line parsed. */
  record: Record<string, unknown>;
  /** When it was logged, in ms since the epoch (the line's `time`, else when the hub read it). */
  timeMs: number;
  /** pino's level name (`info`, `warn`…), from the line's `lvl` or its numeric `level`. */
  level: string;
}

/** What a collector has been sent, by the metric label `target`. */
export interface ShipCounts {
  target: string;
  /** Lines the collector accepted. */
  shipped: number;
  /** Lines given up: over the buffer's bound while the collector was away, or refused by it. */
  dropped: number;
  /** Lines held now, waiting for the collector. */
  buffered: number;
}

/**
 * An outside collector lines are sent to (Loki, Fluentd). `ship` never blocks and never
 * throws: a target holds lines up to its bound while the collector is away, then drops the
 * oldest and counts them.
 */
export interface ShipTarget {
  readonly name: string;
  ship(line: ShipLine): void;
  counts(): ShipCounts;
  /** Tries to send what is held (for a short while), then lets go of the connection. */
  close(): Promise<void>;
}
