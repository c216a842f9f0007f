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
  /** An HTTP request body above the gateway's limit. */
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  /** An HTTP request body of a content type the gateway does not take (it takes JSON). */
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
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
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(STATUS, value);
}

/** The HTTP-like status of a code; unknown codes are 500. */
export function statusOf(code: string): number {
  return isErrorCode(code) ? STATUS[code] : 500;
}
