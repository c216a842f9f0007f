import path from "node:path";
import { createStream, type RotatingFileStream } from "rotating-file-stream";

export interface RotatingLogOptions {
  /** Rotate when the file reaches this size, e.g. `10M`. Default `10M`. */
  maxSize?: string;
  /** Rotated files kept. Default 5. */
  maxFiles?: number;
}

/** A log file under `dir` that rotates by size and keeps the last few files. */
export function openRotatingLog(file: string, options: RotatingLogOptions = {}): RotatingFileStream {
  return createStream(path.basename(file), {
    path: path.dirname(file),
    size: (options.maxSize ?? "10M") as `${number}M`,
    maxFiles: options.maxFiles ?? 5,
    // Logs may quote what callers sent: readable by this user only.
    mode: 0o600,
  });
}
