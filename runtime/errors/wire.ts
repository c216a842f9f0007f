import {
  ErrorCode,
  Header,
  codeOfStatus,
  decodeErrorEnvelope,
  encodeErrorEnvelope,
  statusOf,
  type ErrorBody,
} from "../protocol/index.ts";
import { FuseError, type FuseErrorOptions } from "./fuse-error.ts";
import { AppError, appErrorProblem } from "./app-error.ts";
import {
  CancelledError,
  ConfigError,
  DatabaseCorruptError,
  DeadlineExceededError,
  HandlerError,
  MigrationRefusedError,
  NotFoundError,
  OutcomeUnknownError,
  PayloadTooLargeError,
  SchemaError,
  UnavailableError,
  ValidationError,
} from "./classes.ts";

/** What an error reply carries: the micro error headers and the JSON envelope. */
export interface WireError {
  headers: Record<string, string>;
  body: string;
}

/** Turns any error into the headers and JSON body of an error reply. */
export function toWire(error: FuseError): WireError {
  const body: ErrorBody = { code: error.code, message: error.message };
  if (error.details !== undefined) body.details = error.details;
  if (error.actor !== undefined) body.actor = error.actor;
  if (error.retryable) body.retryable = true;
  return {
    headers: {
      [Header.serviceErrorCode]: String(error.status),
      // A header value must stay on one line.
      [Header.serviceError]: error.message.replace(/[\r\n]+/g, " "),
    },
    body: encodeErrorEnvelope(body),
  };
}

type Rebuild = (body: ErrorBody, options: FuseErrorOptions) => FuseError;

const REBUILD: Record<string, Rebuild> = {
  [ErrorCode.VALIDATION_FAILED]: (b, o) => new ValidationError(b.message, o),
  [ErrorCode.BAD_REQUEST]: (b, o) => new ValidationError(b.message, { ...o, code: b.code }),
  [ErrorCode.OUTPUT_INVALID]: (b, o) => new HandlerError(b.message, { ...o, code: b.code }),
  [ErrorCode.ACTOR_NOT_FOUND]: (b, o) => new NotFoundError(b.code, b.message, o),
  [ErrorCode.ENDPOINT_NOT_FOUND]: (b, o) => new NotFoundError(b.code, b.message, o),
  [ErrorCode.NOT_FOUND]: (b, o) => new NotFoundError(b.code, b.message, o),
  [ErrorCode.NO_LIVE_INSTANCE]: (b, o) => new UnavailableError(b.message, o),
  [ErrorCode.HUB_NOT_RUNNING]: (b, o) => new UnavailableError(b.message, { ...o, code: b.code }),
  [ErrorCode.DEADLINE_EXCEEDED]: (b, o) => new DeadlineExceededError(b.message, o),
  [ErrorCode.CANCELLED]: (b, o) => new CancelledError(b.message, o),
  [ErrorCode.HANDLER_FAILED]: (b, o) => new HandlerError(b.message, o),
  [ErrorCode.CONFIG_INVALID]: (b, o) => new ConfigError(b.message, o),
  [ErrorCode.TABLE_SCHEMA_INVALID]: (b, o) =>
    new SchemaError(ErrorCode.TABLE_SCHEMA_INVALID, b.message, o),
  [ErrorCode.TASK_SCHEMA_INVALID]: (b, o) =>
    new SchemaError(ErrorCode.TASK_SCHEMA_INVALID, b.message, o),
  [ErrorCode.DESTRUCTIVE_CHANGE_REFUSED]: (b, o) => new MigrationRefusedError(b.message, o),
  [ErrorCode.PAYLOAD_TOO_LARGE]: (b, o) => new PayloadTooLargeError(b.message, o),
  [ErrorCode.OUTCOME_UNKNOWN]: (b, o) => new OutcomeUnknownError(b.message, o),
  [ErrorCode.CIRCUIT_OPEN]: (b, o) => new UnavailableError(b.message, { ...o, code: b.code }),
  [ErrorCode.OVERLOADED]: (b, o) => new UnavailableError(b.message, { ...o, code: b.code }),
  [ErrorCode.DATABASE_CORRUPT]: (b, o) => new DatabaseCorruptError(b.message, o),
};

/**
 * Rebuilds the same error class from an error reply. `body` is the reply's JSON text;
 * `status` and `headerMessage` are the micro error headers, used when the body is not an
 * envelope (a reply from a plain NATS micro service, say): the status then gives the code
 * (see `codeOfStatus`), and `details.status` keeps it when the code's own status differs. A code
 * of an application (UPPER_SNAKE, with a 4xx status) comes back as an AppError with that
 * status, so a caller that rethrows it, and the gateway, answer with the same status; any
 * other unknown code keeps its code and status on a base FuseError.
 */
export function fromWire(body: string, status?: number, headerMessage?: string): FuseError {
  const parsed = decodeErrorEnvelope(body) ?? headersOnly(status, headerMessage);
  const options: FuseErrorOptions = {};
  if (parsed.details !== undefined) options.details = parsed.details;
  if (parsed.actor !== undefined) options.actor = parsed.actor;
  if (parsed.retryable !== undefined) options.retryable = parsed.retryable;
  const rebuild = REBUILD[parsed.code];
  if (rebuild) return rebuild(parsed, options);
  const remote = status !== undefined && Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
  if (!appErrorProblem(parsed.code, remote)) {
    const error = new AppError(parsed.code, parsed.message, { ...options, status: remote });
    if (options.actor !== undefined) Object.defineProperty(error, "actor", { value: options.actor, enumerable: true });
    return error;
  }
  return new FuseError(parsed.code, parsed.message, { ...options, status: remote });
}

function headersOnly(status: number | undefined, headerMessage: string | undefined): ErrorBody {
  const remote = status !== undefined && Number.isInteger(status) ? status : 500;
  const code = codeOfStatus(remote);
  const body: ErrorBody = { code, message: headerMessage || `remote error with status ${remote}` };
  if (statusOf(code) !== remote) body.details = { status: remote };
  return body;
}

/** Wraps whatever was thrown into a FuseError, keeping FuseErrors as they are. */
export function toFuseError(thrown: unknown): FuseError {
  if (thrown instanceof FuseError) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new HandlerError(message || "handler failed", { cause: thrown });
}
