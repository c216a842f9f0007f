import { ErrorCode } from "../protocol/index.ts";
import { FuseError, type FuseErrorOptions } from "./fuse-error.ts";

type Options = Omit<FuseErrorOptions, "retryable">;

export interface ValidationIssue {
  path: string;
  code: string;
  message: string;
}

/** Input (or output) did not match its schema. `details.issues` lists every problem. */
export class ValidationError extends FuseError {
  constructor(message: string, options: Options & { code?: string } = {}) {
    super(options.code ?? ErrorCode.VALIDATION_FAILED, message, options);
  }
  get issues(): ValidationIssue[] {
    return ((this.details as { issues?: ValidationIssue[] } | undefined)?.issues ?? []).slice();
  }
}

/** An actor, endpoint or other named thing does not exist. */
export class NotFoundError extends FuseError {
  constructor(code: string, message: string, options: Options = {}) {
    super(code, message, options);
  }
}

/** Nothing can serve the request now; a retry may succeed. */
export class UnavailableError extends FuseError {
  constructor(message: string, options: FuseErrorOptions & { code?: string } = {}) {
    super(options.code ?? ErrorCode.NO_LIVE_INSTANCE, message, { retryable: true, ...options });
  }
}

/**
 * A write was sent to the database and the connection was lost before its reply: it may or
 * may not have been applied. Not retryable as such: repeat it only if it is idempotent.
 */
export class OutcomeUnknownError extends FuseError {
  constructor(message: string, options: Options = {}) {
    super(ErrorCode.OUTCOME_UNKNOWN, message, options);
  }
}

/** The request's deadline passed before a reply came. */
export class DeadlineExceededError extends FuseError {
  constructor(message: string, options: Options = {}) {
    super(ErrorCode.DEADLINE_EXCEEDED, message, options);
  }
}

/** The request was cancelled by its caller (abort signal). */
export class CancelledError extends FuseError {
  constructor(message: string, options: Options = {}) {
    super(ErrorCode.CANCELLED, message, options);
  }
}

/**
 * A handler threw (or returned output that broke its schema). The original error stays in
 * `cause` and is logged where it happened; only its message crosses the wire.
 */
export class HandlerError extends FuseError {
  constructor(message: string, options: Options & { code?: string } = {}) {
    super(options.code ?? ErrorCode.HANDLER_FAILED, message, options);
  }
}

/**
 * A message is larger than the bus (or the gateway) takes: `details` gives its `size` and the
 * `limit`, in bytes.
 */
export class PayloadTooLargeError extends FuseError {
  constructor(message: string, options: Options = {}) {
    super(ErrorCode.PAYLOAD_TOO_LARGE, message, options);
  }
}

export interface ConfigLocation {
  file?: string;
  line?: number;
  key?: string;
}

/** `fuse.yaml` (or another config input) is invalid. */
export class ConfigError extends FuseError {
  constructor(message: string, options: Options & { location?: ConfigLocation } = {}) {
    super(ErrorCode.CONFIG_INVALID, message, {
      ...options,
      details: options.details ?? options.location,
    });
  }
}

/** A table or task schema file is invalid. */
export class SchemaError extends FuseError {
  constructor(
    code: typeof ErrorCode.TABLE_SCHEMA_INVALID | typeof ErrorCode.TASK_SCHEMA_INVALID,
    message: string,
    options: Options = {},
  ) {
    super(code, message, options);
  }
}

/**
 * The hub's database file failed its integrity check: `details` has `file`, `problems` (the
 * check's first lines) and, when there is one, `backup` and `command` (how to restore it).
 */
export class DatabaseCorruptError extends FuseError {
  constructor(message: string, options: Options = {}) {
    super(ErrorCode.DATABASE_CORRUPT, message, options);
  }
}

/** A schema change would destroy data and was not explicitly allowed. */
export class MigrationRefusedError extends FuseError {
  constructor(message: string, options: Options = {}) {
    super(ErrorCode.DESTRUCTIVE_CHANGE_REFUSED, message, options);
  }
}
