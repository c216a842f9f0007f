/**
 * @module errors
 * FuseError and its typed subclasses, and their round trip over the wire (toWire/fromWire).
 * May import: protocol.
 */
export { FuseError, type FuseErrorOptions } from "./fuse-error.ts";
export {
  ValidationError,
  NotFoundError,
  UnavailableError,
  OutcomeUnknownError,
  DeadlineExceededError,
  CancelledError,
  HandlerError,
  PayloadTooLargeError,
  ConfigError,
  DatabaseCorruptError,
  SchemaError,
  MigrationRefusedError,
  type ValidationIssue,
  type ConfigLocation,
} from "./classes.ts";
export { AppError, APP_ERROR_CODE_RULE, appErrorProblem, withDeclaredStatus, type AppErrorOptions } from "./app-error.ts";
export { toWire, fromWire, toFuseError, type WireError } from "./wire.ts";
export { validationErrorFromIssues, formatPath, toIssues, type ZodLikeIssue } from "./zod-issues.ts";
