import { randomBytes, timingSafeEqual } from "node:crypto";
import { ErrorCode, Header, SESSION_COOKIE, type Principal } from "../../protocol/index.ts";
import { FuseError } from "../../errors/index.ts";
import type { AuthRequest, CredentialSource } from "./credential-source.ts";

/** A signed-in browser: who, the CSRF token its pages send back, and until when. */
export interface Session {
  id: string;
  principal: Principal;
  csrf: string;
  expiresAt: number;
}

/** A request as the session source reads it; without `method`, the request counts as one that changes something. */
export interface SessionRequest extends AuthRequest {
  method?: string;
}

export const SESSION_TTL_MS = 8 * 3600_000;
const MAX_SESSIONS = 10_000;
const SAFE_METHODS = new Set(["GET", "HEAD"]);

const randomId = () => randomBytes(32).toString("base64url");

/** The session cookie's value in a `Cookie` header, if any. */
export function sessionCookieOf(cookie: string | undefined): string | undefined {
  if (!cookie) return undefined;
  for (const part of cookie.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * The dashboard's sessions, in the gateway's memory only: a restart of the gateway signs every
 * browser out. Random ids (256 bits), a fixed lifetime, and at most 10 000 at once (the oldest
 * goes first), so sign-ins cannot grow the memory without end.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly ttlMs = SESSION_TTL_MS, private readonly now: () => number = Date.now) {}

  create(principal: Principal): Session {
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const session = { id: randomId(), principal: { ...principal, via: "session" as const }, csrf: randomId(), expiresAt: this.now() + this.ttlMs };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session of that id; an expired one is forgotten. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt > this.now()) return session;
    this.sessions.delete(id);
    return undefined;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  get ttlSeconds(): number {
    return Math.floor(this.ttlMs / 1000);
  }
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/** FORBIDDEN for a cookie-authenticated request that changes something without the session's CSRF token. */
export function checkCsrf(session: Session, req: SessionRequest): void {
  if (req.method !== undefined && SAFE_METHODS.has(req.method.toUpperCase())) return;
  if (sameToken(req.header(Header.csrf.toLowerCase()), session.csrf)) return;
  throw new FuseError(ErrorCode.FORBIDDEN, `a request signed in by the dashboard's session cookie must carry the session's CSRF token in ${Header.csrf} (read it from GET /auth/session)`, {
    details: { header: Header.csrf },
  });
}

/**
 * The session cookie as a credential, after API keys and JWTs in the authenticator's chain. An
 * unknown or expired session is no credential (the browser is asked to sign in again, and it is
 * not counted as a failed attempt); a request that is not a GET or HEAD must carry the
 * session's CSRF token (FORBIDDEN without it): SameSite=Strict already keeps other sites' pages
 * from sending the cookie, the token also stops a page of a sibling origin on the same site.
 */
export function createSessionSource(store: SessionStore): CredentialSource {
  const sessionOf = (req: AuthRequest) => store.get(sessionCookieOf(req.header("cookie")));
  return {
    name: "session",
    presented: (req) => sessionOf(req) !== undefined,
    authenticate: (req) => {
      const session = sessionOf(req);
      if (!session) return Promise.resolve(undefined);
      try {
        checkCsrf(session, req as SessionRequest);
      } catch (error) {
        return Promise.reject(error as Error);
      }
      return Promise.resolve(session.principal);
    },
  };
}
