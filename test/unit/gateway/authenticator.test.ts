import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, generateKeyPair } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuthenticator, type Authenticator } from "../../../runtime/gateway/auth/authenticator.ts";
import type { AuthRequest, CredentialSource } from "../../../runtime/gateway/auth/credential-source.ts";
import { errorHeadersOf } from "../../../runtime/gateway/http/error-headers.ts";
import { FuseError } from "../../../runtime/errors/index.ts";
import { createLogger } from "../../../runtime/log/index.ts";
import { LOCAL_ADMIN } from "../../../runtime/protocol/index.ts";
import { apiKeyFile, createApiKey, revokeApiKey } from "../../../runtime/security/index.ts";

const log = createLogger({ actor: "test", level: "silent" });
const SECRET = "an HMAC secret of at least 32 characters!";
const jwtConfig = { secret: SECRET, issuer: "https://id.test/", audience: "fuse", rolesClaim: "realm_access.roles", clockToleranceMs: 0 };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "fuse-auth-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const request = (headers: Record<string, string>, address = "127.0.0.1"): AuthRequest => ({ header: (name) => headers[name], address });
const bearer = (token: string, address?: string) => request({ authorization: `Bearer ${token}` }, address);

async function refusal(auth: Authenticator, req: AuthRequest): Promise<FuseError> {
  try {
    await auth.authenticate(req);
  } catch (error) {
    return error as FuseError;
  }
  throw new Error("expected a refusal");
}

function jwt(claims: Record<string, unknown>, options: { secret?: string; expiresIn?: string; issuer?: string; audience?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("user-7")
    .setIssuer(options.issuer ?? "https://id.test/")
    .setAudience(options.audience ?? "fuse")
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "5m")
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

describe("authenticator", () => {
  it("makes every request the local admin without keys or jwt, and with auth: none", async () => {
    for (const auth of [undefined, "none" as const]) {
      const authenticator = createAuthenticator({ hubDir: dir, auth, log });
      expect(authenticator.required).toBe(false);
      expect(await authenticator.authenticate(request({}))).toBe(LOCAL_ADMIN);
      expect(await authenticator.authenticate(bearer("anything"))).toBe(LOCAL_ADMIN);
    }
  });

  it("takes API keys as Bearer or X-Api-Key, refuses unknown, revoked and expired ones, and gives undefined without a credential", async () => {
    const file = apiKeyFile(dir);
    const auth = createAuthenticator({ hubDir: dir, auth: { keys: true }, log });
    // As in the gateway, the key folder is watched a while before the keys change.
    await new Promise((r) => setTimeout(r, 20));
    const { key } = createApiKey(file, { name: "ci", roles: ["admin"] });
    await new Promise((r) => setImmediate(r));
    expect(await auth.authenticate(bearer(key))).toEqual({ id: "ci", roles: ["admin"], via: "key" });
    expect(await auth.authenticate(request({ "x-api-key": key }))).toEqual({ id: "ci", roles: ["admin"], via: "key" });
    expect(await auth.authenticate(request({}))).toBeUndefined();
    // Cached now; a revocation must still count on the very next request. A request reaches the
    // gateway through the event loop's poll phase, as the watch event of the key folder does.
    revokeApiKey(file, "ci");
    await new Promise((r) => setImmediate(r));
    const revoked = await refusal(auth, bearer(key));
    expect(revoked.code).toBe("UNAUTHENTICATED");
    expect(revoked.message).toContain("not known to this hub");
    expect(errorHeadersOf(revoked)).toEqual({ "www-authenticate": 'Bearer realm="fuse", error="invalid_token"' });
    const short = createApiKey(file, { name: "short", roles: ["user"], expiresInMs: 1 });
    await new Promise((r) => setTimeout(r, 5));
    auth.close();
    expect((await refusal(auth, bearer(short.key))).message).toContain("expired");
    expect((await refusal(auth, bearer("not-a-jwt-nor-a-key"))).message).toContain("neither an API key nor a JWT");
  });

  it("verifies JWTs: roles from a dotted claim, sub as id; wrong secret, issuer, audience, algorithm and expired refused", async () => {
    const auth = createAuthenticator({ hubDir: dir, auth: { jwt: jwtConfig }, log });
    const good = await jwt({ realm_access: { roles: ["user", "reports"] } });
    expect(await auth.authenticate(bearer(good))).toEqual({ id: "user-7", roles: ["user", "reports"], via: "jwt" });
    const cases: [string, string][] = [
      [await jwt({}, { secret: "another secret of at least 32 characters" }), "signature does not verify"],
      [await jwt({}, { issuer: "https://evil.test/" }), '"iss" claim'],
      [await jwt({}, { audience: "other" }), '"aud" claim'],
      [await jwt({}, { expiresIn: "-10s" }), "expired"],
      [good.split(".").slice(0, 2).join(".") + ".AAAA", "signature does not verify"],
    ];
    for (const [token, reason] of cases) {
      const error = await refusal(auth, bearer(token, "10.0.0.1"));
      expect(error.code).toBe("UNAUTHENTICATED");
      expect(error.message).toContain(reason);
    }
    // "alg": "none" is never accepted.
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"x","exp":9999999999}').toString("base64url")}.`;
    expect((await refusal(auth, bearer(none))).code).toBe("UNAUTHENTICATED");
  });

  it("answers 500 INTERNAL, not 401, when the issuer's JWKS cannot be fetched, and does not count it as a failed authentication", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const auth = createAuthenticator({ hubDir: dir, auth: { jwt: { jwksUrl: `http://127.0.0.1:${port}/jwks.json`, rolesClaim: "roles", clockToleranceMs: 0 } }, log, rateLimit: { failedAuth: { attempts: 1, perMs: 60_000 } } });
    const token = await new SignJWT({}).setProtectedHeader({ alg: "ES256", kid: "k" }).setSubject("x").setExpirationTime("5m").sign((await generateKeyPair("ES256")).privateKey);
    for (let i = 0; i < 2; i++) {
      const error = await refusal(auth, bearer(token));
      expect(error.code).toBe("INTERNAL");
      expect(error.message).toContain("gateway.auth.jwt.jwksUrl");
    }
  });

  it("holds an address after 10 failed authentications by default: 429 with Retry-After even for a right key, while other addresses and requests without a credential pass", async () => {
    const auth = createAuthenticator({ hubDir: dir, auth: { keys: true }, log });
    const { key } = createApiKey(apiKeyFile(dir), { name: "ci", roles: ["admin"] });
    const wrong = key.slice(0, -4) + (key.endsWith("AAAA") ? "BBBB" : "AAAA");
    for (let i = 0; i < 10; i++) expect((await refusal(auth, bearer(wrong, "10.0.0.9"))).code).toBe("UNAUTHENTICATED");
    const held = await refusal(auth, bearer(key, "10.0.0.9"));
    expect(held.code).toBe("RATE_LIMITED");
    expect(held.details).toEqual({ limit: "failedAuth", retryAfterSeconds: 6 });
    expect(errorHeadersOf(held)).toEqual({ "retry-after": "6" });
    expect(await auth.authenticate(request({}, "10.0.0.9"))).toBeUndefined();
    expect(await auth.authenticate(bearer(key, "10.0.0.10"))).toMatchObject({ id: "ci" });
  });

  it("limits requests per address and per principal when configured", async () => {
    const { key } = createApiKey(apiKeyFile(dir), { name: "ci", roles: ["user"] });
    const auth = createAuthenticator({
      hubDir: dir,
      auth: { keys: true },
      rateLimit: { perAddress: { requests: 3, perMs: 60_000 }, perPrincipal: { requests: 2, perMs: 60_000 }, failedAuth: { attempts: 10, perMs: 60_000 } },
      log,
    });
    await auth.authenticate(bearer(key, "10.0.0.1"));
    await auth.authenticate(bearer(key, "10.0.0.2"));
    expect((await refusal(auth, bearer(key, "10.0.0.3"))).details).toMatchObject({ limit: "perPrincipal" });
    await auth.authenticate(request({}, "10.0.0.4"));
    await auth.authenticate(request({}, "10.0.0.4"));
    await auth.authenticate(request({}, "10.0.0.4"));
    const error = await refusal(auth, request({}, "10.0.0.4"));
    expect(error.details).toEqual({ limit: "perAddress", retryAfterSeconds: 20 });
  });

  it("runs added credential sources after keys and JWTs", async () => {
    const session: CredentialSource = {
      name: "session",
      presented: (req) => req.header("cookie") !== undefined,
      authenticate: (req) => Promise.resolve(req.header("cookie") === "s=ok" ? { id: "dash", roles: ["admin"], via: "session" as const } : undefined),
    };
    const auth = createAuthenticator({ hubDir: dir, auth: { keys: true }, log });
    auth.use(session);
    expect(await auth.authenticate(request({ cookie: "s=ok" }))).toEqual({ id: "dash", roles: ["admin"], via: "session" });
    expect(await auth.authenticate(request({ cookie: "s=no" }))).toBeUndefined();
  });
});
