import { ErrorCode } from "../../protocol/index.ts";
import type { FuseError } from "../../errors/index.ts";

const CHALLENGE = 'Bearer realm="fuse"';

/**
 * The headers HTTP requires with some errors: `WWW-Authenticate` with a 401 (RFC 9110; with
 * `error="invalid_token"` when a credential was given and refused, RFC 6750), and
 * `Retry-After` in seconds with a 429.
 */
export function errorHeadersOf(error: FuseError): Record<string, string> | undefined {
  const details = error.details as { credential?: unknown; retryAfterSeconds?: unknown } | undefined;
  if (error.code === ErrorCode.UNAUTHENTICATED) {
    return { "www-authenticate": details?.credential === undefined ? CHALLENGE : `${CHALLENGE}, error="invalid_token"` };
  }
  if (error.code === ErrorCode.RATE_LIMITED && typeof details?.retryAfterSeconds === "number") {
    return { "retry-after": String(details.retryAfterSeconds) };
  }
  return undefined;
}
