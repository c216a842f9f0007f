import { ErrorCode } from "../../protocol/index.ts";
import { FuseError } from "../../errors/index.ts";

/** The kinds of credential a refusal can name; a refusal naming one says a token was given (`error="invalid_token"`). */
export type CredentialKind = "api-key" | "jwt" | "session";

/** A presented credential that is not valid: 401, and the client should not repeat it. */
export function invalidCredential(credential: CredentialKind, message: string, cause?: unknown): FuseError {
  return new FuseError(ErrorCode.UNAUTHENTICATED, message, { details: { credential }, cause });
}

/** Which budget ran out: failed authentications, requests of one address, or of one principal. */
export type RateLimitKind = "failedAuth" | "perAddress" | "perPrincipal";

/** Too many requests: 429 with `Retry-After` of `retryAfterMs` rounded up to whole seconds. */
export function rateLimited(limit: RateLimitKind, retryAfterMs: number, message: string): FuseError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new FuseError(ErrorCode.RATE_LIMITED, `${message}; retry in ${retryAfterSeconds} s`, { details: { limit, retryAfterSeconds }, retryable: true });
}
