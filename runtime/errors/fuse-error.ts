import { ErrorCode, isErrorCode, statusOf } from "../protocol/index.ts";

export interface FuseErrorOptions {
  /** JSON-safe structured data: a path, key, file, line, issues. */
  details?: unknown;
  /** Whether a retry may succeed; defaults to the code's nature. */
  retryable?: boolean;
  /** The actor that produced the error, when it crossed the bus. */
  actor?: string;
  /**
   * The HTTP-like status, for codes outside the protocol table only (an AppError's, or one
   * rebuilt from the wire): a code of the table always has the table's status.
   */
  status?: number;
  cause?: unknown;
}

const RETRYABLE_CODES: ReadonlySet<string> = new Set([ErrorCode.NO_LIVE_INSTANCE]);

/**
 * The base of every error Fuse raises. `code` is part of the public contract; `status` comes
 * from the protocol table (an application's own code carries its own, see AppError); the
 * message is for people.
 */
export class FuseError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: unknown;
  readonly retryable: boolean;
  readonly actor?: string;

  constructor(code: string, message: string, options: FuseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status !== undefined && !isErrorCode(code) ? options.status : statusOf(code);
    if (options.details !== undefined) this.details = options.details;
    this.retryable = options.retryable ?? RETRYABLE_CODES.has(code);
    if (options.actor !== undefined) this.actor = options.actor;
  }
}
