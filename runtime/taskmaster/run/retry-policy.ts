import { ErrorCode, TaskErrorCode } from "../../protocol/index.ts";
import type { RetrySchema } from "../schema/task-schema.ts";

// Errors another attempt cannot fix: the caller's own mistake, or an explicit cancel.
const FINAL_CODES: ReadonlySet<string> = new Set([
  ErrorCode.VALIDATION_FAILED,
  ErrorCode.BAD_REQUEST,
  ErrorCode.ENDPOINT_NOT_FOUND,
  ErrorCode.CANCELLED,
  TaskErrorCode.EXPRESSION_FAILED,
]);

/**
 * Whether a step that failed with `code` on attempt `attempt` (1-based) gets another one: with
 * `on`, only those codes are retried (even one of the final codes, when listed).
 */
export function shouldRetry(policy: RetrySchema, attempt: number, code: string): boolean {
  if (attempt >= policy.attempts) return false;
  return policy.on ? policy.on.includes(code) : !FINAL_CODES.has(code);
}

/** The wait before attempt `attempt + 1`, after attempt `attempt` (1-based) failed. */
export function backoffDelay(policy: RetrySchema, attempt: number): number {
  return Math.min(policy.maxBackoffMs, policy.backoffMs * policy.factor ** (attempt - 1));
}
