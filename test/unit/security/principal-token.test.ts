import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, rmSync, statSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FuseError } from "../../../runtime/errors/index.ts";
import { ErrorCode, type Principal } from "../../../runtime/protocol/index.ts";
import { createHubKeys, createPrincipalSigner, createPrincipalVerifier, signPrincipal, verifyPrincipal } from "../../../runtime/security/index.ts";

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const ada: Principal = { id: "ada", roles: ["user"], via: "key" };

function refusal(fn: () => unknown): FuseError {
  try {
    fn();
  } catch (error) {
    return error as FuseError;
  }
  throw new Error("expected a refusal");
}

describe("principal tokens", () => {
  it("round-trips a principal signed with the private key", () => {
    const token = signPrincipal(ada, privateKey, 60_000);
    expect(verifyPrincipal(token, publicKey)).toEqual(ada);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it("refuses a token signed by another key, an altered payload, an expired token and malformed text, naming why", () => {
    const other = generateKeyPairSync("ed25519").privateKey;
    const cases: [string, RegExp][] = [
      [signPrincipal(ada, other, 60_000), /signature is not the hub's/],
      [(() => {
        const [, sig] = signPrincipal(ada, privateKey, 60_000).split(".");
        const forged = Buffer.from(JSON.stringify({ id: "ada", roles: ["admin"], via: "key", exp: Date.now() + 60_000 })).toString("base64url");
        return `${forged}.${sig}`;
      })(), /signature is not the hub's/],
      [signPrincipal(ada, privateKey, 60_000, Date.now() - 120_000), /expired/],
      ["not-a-token", /expected <payload>\.<signature>/],
      ["a.b.c", /expected <payload>\.<signature>/],
      ["x".repeat(5000), /longer than/],
    ];
    for (const [token, why] of cases) {
      const error = refusal(() => verifyPrincipal(token, publicKey));
      expect(error.code).toBe(ErrorCode.UNAUTHENTICATED);
      expect(error.message).toMatch(why);
    }
  });

  it("refuses a well-signed payload that is not a principal", () => {
    const payload = Buffer.from(JSON.stringify({ id: "ada", roles: "admin", via: "key", exp: Date.now() + 60_000 })).toString("base64url");
    const token = `${payload}.${sign(null, Buffer.from(payload), privateKey).toString("base64url")}`;
    expect(refusal(() => verifyPrincipal(token, publicKey)).message).toMatch(/not \{ id, roles, via, exp \}/);
  });

  it("caches verified tokens but still refuses one once it expired", () => {
    let now = 1_000_000;
    const verifier = createPrincipalVerifier(publicKey, { now: () => now, cacheSize: 2 });
    const token = signPrincipal(ada, privateKey, 10_000, now);
    expect(verifier.verify(token)).toEqual(ada);
    expect(verifier.verify(token)).toBe(verifier.verify(token));
    now += 10_001;
    expect(refusal(() => verifier.verify(token)).message).toMatch(/expired/);
  });

  it("the signer reuses a token per principal until it nears expiry, and signs each principal apart", () => {
    let now = Date.now();
    const signer = createPrincipalSigner(privateKey, { ttlMs: 100_000, renewBeforeMs: 40_000, now: () => now });
    const first = signer.tokenFor(ada);
    expect(signer.tokenFor({ ...ada })).toBe(first);
    expect(signer.tokenFor({ ...ada, roles: ["admin"] })).not.toBe(first);
    now += 59_000;
    expect(signer.tokenFor(ada)).toBe(first);
    now += 2_000;
    const renewed = signer.tokenFor(ada);
    expect(renewed).not.toBe(first);
    expect(verifyPrincipal(renewed, publicKey)).toEqual(ada);
  });
});

describe("hub keys", () => {
  it("makes a key pair in .fuse/keys with the private key 0600, fresh at every start", () => {
    const fuseDir = mkdtempSync(path.join(tmpdir(), "fuse-keys-"));
    try {
      const paths = createHubKeys(fuseDir);
      expect(statSync(paths.signingKey).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(paths.signingKey)).mode & 0o777).toBe(0o700);
      const token = signPrincipal(ada, readFileSync(paths.signingKey, "utf8"), 60_000);
      expect(verifyPrincipal(token, readFileSync(paths.publicKey, "utf8"))).toEqual(ada);
      const again = createHubKeys(fuseDir);
      expect(refusal(() => verifyPrincipal(token, readFileSync(again.publicKey, "utf8"))).code).toBe(ErrorCode.UNAUTHENTICATED);
    } finally {
      rmSync(fuseDir, { recursive: true, force: true });
    }
  });
});
