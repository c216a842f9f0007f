import type { IncomingMessage } from "node:http";
import type { Context, Hono } from "hono";
import { ADMIN_ROLE, DASHBOARD_PATH, ErrorCode, SESSION_COOKIE, SessionRoute, type Principal } from "../../protocol/index.ts";
import { FuseError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import { consumeLoginLink } from "../../security/index.ts";
import type { AuthRequest } from "../auth/credential-source.ts";
import { checkCsrf, sessionCookieOf, type Session, type SessionStore } from "../auth/session.ts";
import { errorResponse, jsonResponse } from "../http/json-response.ts";

export interface SessionRoutesOptions {
  sessions: SessionStore;
  /** The gateway's authenticator: checks the key (or JWT) a sign-in posts, with its rate limits. */
  authenticate(req: AuthRequest): Promise<Principal | undefined>;
  /** Whether the hub asks for credentials at all (false: every local request is the admin). */
  required: boolean;
  /** Whether the gateway serves HTTPS: the cookie is then `Secure`. */
  secure: boolean;
  /** The hub folder, where `fuse dashboard` leaves its one-time links. */
  hubDir: string;
  log: Logger;
}

const MAX_KEY_LENGTH = 8192;

function addressOf(c: Context): string {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress ?? "unknown";
}

/** `Set-Cookie` for a session: unreadable by scripts, never sent by other sites, HTTPS-only under TLS. */
function cookieOf(options: SessionRoutesOptions, value: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${options.secure ? "; Secure" : ""}`;
}

const shown = (session: Session) => ({ id: session.principal.id, roles: session.principal.roles });

/** The key of a sign-in: `{ "key": "<API key or JWT>" }`. */
async function keyOf(c: Context): Promise<string> {
  const body = (await c.req.json().catch(() => undefined)) as { key?: unknown } | undefined;
  const key = body?.key;
  if (typeof key !== "string" || key.trim() === "" || key.length > MAX_KEY_LENGTH) {
    throw new FuseError(ErrorCode.VALIDATION_FAILED, 'expected a JSON body { "key": "<API key or JWT>" }', { details: { field: "key" } });
  }
  return key.trim();
}

/**
 * The dashboard's sign-in: `GET /auth/session` (who is signed in, the CSRF token, whether the hub
 * asks for credentials), `POST /auth/session` with `{ key }` (an API key or a JWT, checked by the
 * authenticator as a header would be, rate limits included) answering with the session cookie,
 * `DELETE /auth/session` (sign out; needs the CSRF token), and `GET /auth/link/<token>`, the
 * one-time link of `fuse dashboard`, which signs in and redirects to the dashboard.
 */
export function mountSessionRoutes(app: Hono, options: SessionRoutesOptions): void {
  const { sessions, log } = options;
  const current = (c: Context) => sessions.get(sessionCookieOf(c.req.header("cookie")));
  const signedIn = (session: Session, status: number) =>
    jsonResponse(JSON.stringify({ required: options.required, signedIn: true, principal: shown(session), csrf: session.csrf }), status, undefined, {
      "set-cookie": cookieOf(options, session.id, sessions.ttlSeconds),
      "cache-control": "no-store",
    });

  app.get(SessionRoute.session, (c) => {
    const session = current(c);
    if (session) return jsonResponse(JSON.stringify({ required: options.required, signedIn: true, principal: shown(session), csrf: session.csrf }), 200, undefined, { "cache-control": "no-store" });
    return jsonResponse(JSON.stringify({ required: options.required, signedIn: false }), 200, undefined, { "cache-control": "no-store" });
  });

  app.post(SessionRoute.session, async (c) => {
    try {
      const key = await keyOf(c);
      const principal = await options.authenticate({ header: (name) => (name === "authorization" ? `Bearer ${key}` : undefined), address: addressOf(c) });
      if (!principal) throw new FuseError(ErrorCode.UNAUTHENTICATED, "the key was not accepted", { details: { credential: "session" } });
      const session = sessions.create(principal);
      log.info({ principal: principal.id, via: principal.via, address: addressOf(c) }, "dashboard signed in");
      return signedIn(session, 200);
    } catch (error) {
      // A refused key is an answer (401, 429), not a failure of the gateway.
      if (error instanceof FuseError) return errorResponse(error);
      throw error;
    }
  });

  app.delete(SessionRoute.session, (c) => {
    const session = current(c);
    if (session) {
      // Signing out changes something: only the dashboard's own page, which knows the token, may.
      checkCsrf(session, { method: "DELETE", header: (name) => c.req.header(name), address: addressOf(c) });
      sessions.delete(session.id);
    }
    return jsonResponse(JSON.stringify({ required: options.required, signedIn: false }), 200, undefined, { "set-cookie": cookieOf(options, "", 0) });
  });

  app.get(`${SessionRoute.link}/:token`, (c) => {
    const principalId = consumeLoginLink(options.hubDir, c.req.param("token"));
    if (!principalId) {
      return errorResponse(new FuseError(ErrorCode.UNAUTHENTICATED, "this sign-in link was used already or has expired: run fuse dashboard for a new one", { details: { credential: "session" } }));
    }
    const session = sessions.create({ id: principalId, roles: [ADMIN_ROLE], via: "session" });
    log.info({ principal: principalId, via: "link", address: addressOf(c) }, "dashboard signed in");
    // 303: the browser follows with a GET of the dashboard, and the link leaves no page to reload.
    return new Response(null, { status: 303, headers: { location: DASHBOARD_PATH, "set-cookie": cookieOf(options, session.id, sessions.ttlSeconds), "cache-control": "no-store", "referrer-policy": "no-referrer" } });
  });
}
