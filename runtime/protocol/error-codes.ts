/** Stable error codes of the public contract, with the HTTP-like status each maps to. */
export const ErrorCode = {
  VALIDATION_FAILED: "VALIDATION_FAILED",
  OUTPUT_INVALID: "OUTPUT_INVALID",
  BAD_REQUEST: "BAD_REQUEST",
  ACTOR_NOT_FOUND: "ACTOR_NOT_FOUND",
  ENDPOINT_NOT_FOUND: "ENDPOINT_NOT_FOUND",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  NO_LIVE_INSTANCE: "NO_LIVE_INSTANCE",
  DEADLINE_EXCEEDED: "DEADLINE_EXCEEDED",
  CANCELLED: "CANCELLED",
  HANDLER_FAILED: "HANDLER_FAILED",
  INTERNAL: "INTERNAL",
  CONFIG_INVALID: "CONFIG_INVALID",
  TABLE_SCHEMA_INVALID: "TABLE_SCHEMA_INVALID",
  TASK_SCHEMA_INVALID: "TASK_SCHEMA_INVALID",
  DESTRUCTIVE_CHANGE_REFUSED: "DESTRUCTIVE_CHANGE_REFUSED",
  HUB_NOT_RUNNING: "HUB_NOT_RUNNING",
  /** A message (request, reply, event, HTTP body) larger than the bus or the gateway can carry. */
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  /** An HTTP request body of a content type the gateway does not take (it takes JSON). */
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  /** An HTTP method a path does not serve, though others exist for it (the gateway sends `Allow`). */
  METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
  /**
   * A request refused for who or where it comes from: a browser page of another site, a
   * `Host` that is not the gateway's (DNS rebinding), or a caller without the role an endpoint
   * requires.
   */
  FORBIDDEN: "FORBIDDEN",
  /**
   * No valid credential: none was given where one is needed, or it is unknown, revoked, expired
   * or forged (an API key, a JWT, a principal token on the bus). HTTP adds `WWW-Authenticate`.
   */
  UNAUTHENTICATED: "UNAUTHENTICATED",
  /** Too many requests (or failed authentications) from one principal or address; HTTP adds `Retry-After`. */
  RATE_LIMITED: "RATE_LIMITED",
  /**
   * A write whose connection to the database was lost after it was sent: it may or may not
   * have been applied. Not retryable as such; repeat it only if it is idempotent.
   */
  OUTCOME_UNKNOWN: "OUTCOME_UNKNOWN",
  /**
   * The caller's circuit breaker to the target endpoint is open after too many failures: the
   * call was not sent. Retryable; `details.retryAfterMs` says when the circuit half-opens.
   */
  CIRCUIT_OPEN: "CIRCUIT_OPEN",
  /**
   * The endpoint's bulkhead is full on the instance that got the request (its concurrent runs
   * and its queue): refused before the handler ran. Retryable.
   */
  OVERLOADED: "OVERLOADED",
  /**
   * The hub's database file failed its integrity check at start: `details` names the file, the
   * check's first findings, the newest backup that passes the check and the command restoring it.
   */
  DATABASE_CORRUPT: "DATABASE_CORRUPT",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  OUTPUT_INVALID: 500,
  BAD_REQUEST: 400,
  ACTOR_NOT_FOUND: 404,
  ENDPOINT_NOT_FOUND: 404,
  NOT_FOUND: 404,
  CONFLICT: 409,
  NO_LIVE_INSTANCE: 503,
  DEADLINE_EXCEEDED: 504,
  CANCELLED: 499,
  HANDLER_FAILED: 500,
  INTERNAL: 500,
  CONFIG_INVALID: 400,
  TABLE_SCHEMA_INVALID: 400,
  TASK_SCHEMA_INVALID: 400,
  DESTRUCTIVE_CHANGE_REFUSED: 409,
  HUB_NOT_RUNNING: 503,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  METHOD_NOT_ALLOWED: 405,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
  // 500, not 502/503/504: generic retry policies (SDKs, proxies) repeat those three even for
  // POSTs, which is exactly what must not happen to a write that may have been applied.
  OUTCOME_UNKNOWN: 500,
  CIRCUIT_OPEN: 503,
  OVERLOADED: 503,
  DATABASE_CORRUPT: 500,
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(STATUS, value);
}

/** The HTTP-like status of a code; unknown codes are 500. */
export function statusOf(code: string): number {
  return isErrorCode(code) ? STATUS[code] : 500;
}

// A plain NATS micro service answers an error with a status (`Nats-Service-Error-Code`) and
// no envelope: each status it may send stands for the code Fuse would have sent with it.
const CODE_OF_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: ErrorCode.VALIDATION_FAILED,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  408: ErrorCode.DEADLINE_EXCEEDED,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  429: ErrorCode.RATE_LIMITED,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  499: ErrorCode.CANCELLED,
  500: ErrorCode.HANDLER_FAILED,
  503: ErrorCode.NO_LIVE_INSTANCE,
  504: ErrorCode.DEADLINE_EXCEEDED,
};

/**
 * The code of an error reply that carries only a status: the one the table names, else
 * BAD_REQUEST for another 4xx (the request was refused) and HANDLER_FAILED for anything else.
 */
export function codeOfStatus(status: number): ErrorCode {
  const code = CODE_OF_STATUS[status];
  if (code !== undefined) return code;
  return status >= 400 && status < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.HANDLER_FAILED;
}
