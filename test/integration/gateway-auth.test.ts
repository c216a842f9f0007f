import { readFileSync, readdirSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubDir, removeHubDir, runCli, startHub, waitFor, type RunningHub } from "../helpers/index.ts";

// A real hub whose gateway takes API keys and JWTs from an issuer whose JWKS a local HTTP server
// serves, tried as a client without the right credential would.
const ISSUER = "https://id.test/";
const AUDIENCE = "fuse-hub";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: { code: string; message: string; details?: unknown } } & Record<string, unknown>;
}

describe("gateway authentication on a running hub", () => {
  let dir: string;
  let hub: RunningHub;
  let url: URL;
  let jwks: Server;
  let signing: { privateKey: CryptoKey; publicKey: CryptoKey };
  let impostor: { privateKey: CryptoKey; publicKey: CryptoKey };
  const keys: Record<string, string> = {};

  /** A POST from `address` (any of 127.0.0.0/8 reaches the gateway), so rate limits can be tried per address. */
  const post = (pathname: string, headers: Record<string, string> = {}, address = "127.0.0.1") =>
    new Promise<Reply>((resolve, reject) => {
      const body = "{}";
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: pathname, method: "POST", localAddress: address, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers } },
        (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) as Reply["body"] }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const withKey = (key: string) => ({ authorization: `Bearer ${key}` });

  const jwt = (claims: Record<string, unknown>, options: { key?: CryptoKey; issuer?: string; audience?: string; expires?: string | number } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setSubject("ada")
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.expires ?? "5m")
      .sign(options.key ?? signing.privateKey);

  beforeAll(async () => {
    signing = await generateKeyPair("ES256");
    impostor = await generateKeyPair("ES256");
    const set = JSON.stringify({ keys: [{ ...(await exportJWK(signing.publicKey)), kid: "k1", alg: "ES256", use: "sig" }] });
    jwks = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(set));
    await new Promise<void>((r) => jwks.listen(0, "127.0.0.1", r));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    dir = createHubDir({
      config: [
        "discover: true",
        "gateway:",
        "  auth:",
        "    keys: true",
        "    jwt:",
        `      jwksUrl: ${jwksUrl}`,
        `      issuer: ${ISSUER}`,
        `      audience: ${AUDIENCE}`,
        "      rolesClaim: realm_access.roles",
        "  rateLimit:",
        "    failedAuth: { attempts: 10, perMs: 20000 }",
        "",
      ].join("\n"),
      actors: { whoami: "whoami" },
    });
    for (const [name, role] of [["ops", "admin"], ["app", "user"], ["gone", "user"]] as const) {
      const created = await runCli(dir, ["keys", "create", name, "--role", role]);
      expect(created.code).toBe(0);
      keys[name] = created.stdout.trim();
    }
    hub = await startHub(dir);
    url = new URL(hub.state.gatewayUrl!);
    await waitFor("whoami routed", async () => (await post("/api/whoami/ping")).status === 200);
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
    jwks?.close();
    if (dir) removeHubDir(dir);
  });

  it("refuses a request without a credential with 401 and WWW-Authenticate, and serves public endpoints to anyone", async () => {
    const none = await post("/api/whoami/me");
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toBe('Bearer realm="fuse"');
    expect(none.body.error!.code).toBe("UNAUTHENTICATED");
    expect(none.body.error!.message).toContain("needs a credential");
    expect((await post("/api/hub/shutdown")).status).toBe(401);
    expect((await post("/api/whoami/ping")).body).toEqual({ pong: true });
  });

  it("serves a user key on an authenticated endpoint (as Bearer or X-Api-Key) and hands the handler its principal", async () => {
    const bearer = await post("/api/whoami/me", withKey(keys.app!));
    expect(bearer.status).toBe(200);
    expect(bearer.body).toEqual({ principal: { id: "app", roles: ["user"], via: "key" } });
    expect((await post("/api/whoami/me", { "x-api-key": keys.ops! })).body).toEqual({ principal: { id: "ops", roles: ["admin"], via: "key" } });
  });

  it("refuses a user key on an admin endpoint with 403, and the hub stays up", async () => {
    const refused = await post("/api/hub/shutdown", withKey(keys.app!));
    expect(refused.status).toBe(403);
    expect(refused.body.error!.code).toBe("FORBIDDEN");
    expect((await post("/api/whoami/report", withKey(keys.app!))).status).toBe(403);
    expect((await hub.list()).map((a) => a.name)).toContain("whoami");
    expect((await post("/api/hub/list", withKey(keys.ops!))).status).toBe(200);
  });

  it("refuses a revoked key on the very next request, and an expired one", async () => {
    expect((await post("/api/whoami/me", withKey(keys.gone!))).status).toBe(200);
    expect((await runCli(dir, ["keys", "revoke", "gone"])).code).toBe(0);
    const revoked = await post("/api/whoami/me", withKey(keys.gone!));
    expect(revoked.status).toBe(401);
    expect(revoked.headers["www-authenticate"]).toBe('Bearer realm="fuse", error="invalid_token"');
    expect(revoked.body.error!.message).toContain("not known to this hub");
    const short = (await runCli(dir, ["keys", "create", "brief", "--role", "user", "--expires", "1s"])).stdout.trim();
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await post("/api/whoami/me", withKey(short));
    expect(expired.status).toBe(401);
    expect(expired.body.error!.message).toContain("expired");
  });

  it("takes a JWT from the issuer's JWKS with roles from the configured claim, and refuses wrong signature, issuer, audience and expired ones", async () => {
    const good = await post("/api/whoami/report", withKey(await jwt({ realm_access: { roles: ["reports"] } })));
    expect(good.status).toBe(200);
    expect((await post("/api/whoami/me", withKey(await jwt({ realm_access: { roles: ["reports", "user"] } })))).body).toEqual({ principal: { id: "ada", roles: ["reports", "user"], via: "jwt" } });
    const bad: [string, string][] = [
      [await jwt({}, { key: impostor.privateKey }), "signature does not verify"],
      [await jwt({}, { issuer: "https://evil.test/" }), '"iss" claim'],
      [await jwt({}, { audience: "another-service" }), '"aud" claim'],
      [await jwt({}, { expires: Math.floor(Date.now() / 1000) - 60 }), "expired"],
    ];
    for (const [token, reason] of bad) {
      const reply = await post("/api/whoami/me", withKey(token));
      expect(reply.status, reason).toBe(401);
      expect(reply.body.error!.message).toContain(reason);
      expect(reply.headers["www-authenticate"]).toContain('error="invalid_token"');
    }
  });

  it("holds an address that guessed keys 10 times: 429 with Retry-After, the right key too, until its budget refills; other addresses unaffected", async () => {
    const attacker = "127.0.0.7";
    const guess = () => `fuse_${keys.ops!.slice(5, 21)}_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")}`;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await post("/api/whoami/me", withKey(guess()), attacker)).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
    const held = await post("/api/whoami/me", withKey(keys.ops!), attacker);
    expect(held.status).toBe(429);
    expect(held.body.error!.code).toBe("RATE_LIMITED");
    const retryAfter = Number(held.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect((await post("/api/whoami/me", withKey(keys.ops!), "127.0.0.8")).status).toBe(200);
    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 100));
    expect((await post("/api/whoami/me", withKey(keys.ops!), attacker)).status).toBe(200);
  });

  it("never shows a secret: fuse keys ls prints names and id ends only, and neither the key file nor the logs hold a key", async () => {
    const ls = await runCli(dir, ["keys", "ls"]);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^NAME\s+ROLES\s+CREATED \(UTC\)\s+EXPIRES \(UTC\)\s+ID/);
    expect(ls.stdout).toContain(`…${keys.ops!.slice(17, 21)}`);
    const json = await runCli(dir, ["keys", "ls", "--json"]);
    const file = readFileSync(path.join(dir, ".fuse/keys/api-keys.json"), "utf8");
    for (const key of Object.values(keys)) {
      const secret = key.slice(22);
      for (const text of [ls.stdout, ls.stderr, json.stdout, file]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(secret.slice(0, 16));
      }
    }
    const logs = readdirSync(path.join(dir, ".fuse/logs")).map((f) => readFileSync(path.join(dir, ".fuse/logs", f), "utf8")).join("\n");
    expect(logs).toContain("too many failed authentications");
    for (const text of [hub.output(), logs]) for (const key of Object.values(keys)) expect(text).not.toContain(key.slice(22));
  });
});
