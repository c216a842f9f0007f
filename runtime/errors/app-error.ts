import { isErrorCode, statusOf } from "../protocol/index.ts";
import { HandlerError } from "./classes.ts";
import { FuseError } from "./fuse-error.ts";

/** UPPER_SNAKE: a capital letter, then capitals, digits and single underscores. */
const CODE_PATTERN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const MAX_CODE_LENGTH = 64;
/** The rule of an application's error code, as messages state it. */
export const APP_ERROR_CODE_RULE = "UPPER_SNAKE (capital letters, digits and single underscores, starting with a letter, at most 64 characters, e.g. OUT_OF_STOCK)";
const DEFAULT_STATUS = 400;

export interface AppErrorOptions {
  /**
   * The HTTP status of the refusal, 400–499. Default: the status the endpoint declares for the
   * code (`errors` of defineEndpoint), else 400. A Fuse code (NOT_FOUND, CONFLICT…) has its own.
   */
  status?: number;
  /** JSON-safe data for the caller (what was asked, what is left…); sent as it is. */
  details?: unknown;
  /** Whether the same request may succeed later. Default false. */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * What is wrong with a code and status an application gives, or undefined when they are fine.
 * Shared by AppError and the `errors` an endpoint declares.
 */
export function appErrorProblem(code: unknown, status: unknown): string | undefined {
  if (typeof code !== "string" || code.length > MAX_CODE_LENGTH || !CODE_PATTERN.test(code)) {
    return `code ${JSON.stringify(code)} must be ${APP_ERROR_CODE_RULE}`;
  }
  if (isErrorCode(code)) {
    const own = statusOf(code);
    if (own < 400 || own > 499) return `code ${code} is Fuse's own (status ${own}), not a refusal an application can send; choose a code of your own`;
    if (status !== undefined && status !== own) return `code ${code} is Fuse's own and has status ${own}, got ${JSON.stringify(status)}`;
    return undefined;
  }
  if (status !== undefined && (typeof status !== "number" || !Number.isInteger(status) || status < 400 || status > 499)) {
    return `code ${code}: status must be an integer from 400 to 499 (a refusal; a failure of the service itself is a crash or an UnavailableError), got ${JSON.stringify(status)}`;
  }
  return undefined;
}

// AppErrors whose status was not given: an endpoint's declaration may set it.
const defaulted = new WeakSet<AppError>();

/**
 * A business refusal: the request was understood and is refused for a reason the caller
 * should see (`OUT_OF_STOCK`, `CARD_DECLINED`). It crosses the bus with its code, status and
 * details, reaches HTTP clients with its status, and is logged at `warn` without a stack.
 *
 * @throws HANDLER_FAILED (from the constructor) when the code is not UPPER_SNAKE or the status
 *   is not 400–499: a mistake in the handler, reported as one.
 * @example
 * throw new AppError("OUT_OF_STOCK", `only ${left} left`, { status: 409, details: { sku, left } });
 */
export class AppError extends FuseError {
  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    const problem = appErrorProblem(code, options.status);
    if (problem) throw new HandlerError(`AppError: ${problem}`, { details: { code, status: options.status } });
    const status = isErrorCode(code) ? statusOf(code) : (options.status ?? DEFAULT_STATUS);
    super(code, message, { status, details: options.details, retryable: options.retryable ?? false, cause: options.cause });
    if (options.status === undefined) defaulted.add(this);
  }
}

/**
 * The error with the status the endpoint declares for its code, when the handler threw an
 * AppError without a status of its own; otherwise the error as it is.
 */
export function withDeclaredStatus(error: FuseError, declared: number | undefined): FuseError {
  if (declared === undefined || !(error instanceof AppError) || !defaulted.has(error) || error.status === declared) return error;
  const again = new AppError(error.code, error.message, { status: declared, details: error.details, retryable: error.retryable, cause: error.cause });
  if (error.actor !== undefined) Object.defineProperty(again, "actor", { value: error.actor, enumerable: true });
  again.stack = error.stack;
  return again;
}
