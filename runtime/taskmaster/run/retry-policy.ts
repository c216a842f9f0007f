import { ErrorCode } from "../../protocol/index.ts";
import type { RetrySchema } from "../schema/task-schema.ts";

// Errors another attempt cannot fix: the caller's own mistake, or an explicit cancel.
const FINAL_CODES: ReadonlySet<string> = new Set([
  ErrorCode.VALIDATION_FAILED,
  ErrorCode.BAD_REQUEST,
  ErrorCode.ENDPOINT_NOT_FOUND,
  ErrorCode.CANCELLED,
]);

/** Whether a step that failed with `code` on attempt `attempt` (1-based) gets another one. */
export function shouldRetry(policy: RetrySchema, attempt: number, code: string): boolean {
  return attempt < policy.attempts && !FINAL_CODES.has(code);
}

/** The wait before attempt `attempt + 1`, after attempt `attempt` (1-based) failed. */
export function backoffDelay(policy: RetrySchema, attempt: number): number {
  return Math.min(policy.maxBackoffMs, policy.backoffMs * policy.factor ** (attempt - 1));
}
