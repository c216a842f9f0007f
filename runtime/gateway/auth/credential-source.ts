import type { Principal } from "../../protocol/index.ts";

/** What authentication reads of an HTTP request. */
export interface AuthRequest {
  /** A request header by lower-case name. */
  header(name: string): string | undefined;
  /** The client's address as the socket sees it (a proxy's `X-Forwarded-For` is not trusted). */
  address: string;
}

/**
 * One kind of credential (API key, JWT, session cookie). `authenticate` returns undefined when
 * the request carries none of its kind, the principal when it carries a valid one, and throws
 * UNAUTHENTICATED (from `invalidCredential`) when it carries a bad one.
 */
export interface CredentialSource {
  /** For logs: `api-key`, `jwt`, `session`. */
  readonly name: string;
  /** Whether the request carries this kind of credential at all (checked before a held address is let through). */
  presented(req: AuthRequest): boolean;
  authenticate(req: AuthRequest): Promise<Principal | undefined>;
  close?(): void;
}

/** `Authorization: Bearer <token>` → the token; undefined for another scheme or none. */
export function bearerToken(req: AuthRequest): string | undefined {
  const value = req.header("authorization");
  if (value === undefined || value.length < 8 || value.slice(0, 7).toLowerCase() !== "bearer ") return undefined;
  const token = value.slice(7).trim();
  return token || undefined;
}
