import pino, { type DestinationStream, type Logger } from "pino";
import { REDACTED_PATHS, REDACTION_CENSOR } from "./redact.ts";

export type { Logger };

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** Bound on every line: the actor (or `hub`, `cli`). */
  actor: string;
  /** Bound on every line when set: the instance number. */
  instance?: number;
  /** Default `info`. */
  level?: LogLevel;
  /** Where JSON lines go. Default: stdout, which the hub captures per process. */
  destination?: DestinationStream;
}

/**
 * The root logger of a process. Lines are JSON; the hub turns each child's stdout into its
 * rotating file and, in a terminal, into readable coloured lines.
 */
export function createLogger(options: LoggerOptions): Logger {
  const base: Record<string, unknown> = { actor: options.actor };
  if (options.instance !== undefined) base.instance = options.instance;
  return pino(
    {
      level: options.level ?? "info",
      base,
      timestamp: pino.stdTimeFunctions.epochTime,
      formatters: { level: (label, number) => ({ level: number, lvl: label }) },
      redact: { paths: REDACTED_PATHS, censor: REDACTION_CENSOR },
    },
    options.destination ?? pino.destination({ fd: 1, sync: true }),
  );
}
