import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { FuseError } from "../../../runtime/errors/index.ts";
import { ErrorCode, type Principal } from "../../../runtime/protocol/index.ts";
import { createPrincipalVerifier, signPrincipal } from "../../../runtime/security/index.ts";

// The verifier caches verified tokens by their exact text (and keeps the last one at hand):
// whatever it holds, a token it did not verify as it is, or one past its expiry, is refused.
const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const impostor = generateKeyPairSync("ed25519").privateKey;
const ada: Principal = { id: "ada", roles: ["user"], via: "key" };
const ops: Principal = { id: "ops", roles: ["admin"], via: "key" };

function refusedWhy(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FuseError);
    expect((error as FuseError).code).toBe(ErrorCode.UNAUTHENTICATED);
    return (error as FuseError).message;
  }
  throw new Error("the token was accepted");
}

describe("principal verification with its cache warm", () => {
  it("refuses forged and altered tokens while the genuine one, cached and last, passes", () => {
    const clock = 1_000_000;
    const verifier = createPrincipalVerifier(publicKey, { now: () => clock });
    const genuine = signPrincipal(ada, privateKey, 60_000, clock);
    const [payload, signature] = genuine.split(".") as [string, string];
    expect(verifier.verify(genuine)).toEqual(ada);
    expect(verifier.verify(genuine)).toEqual(ada);

    const elevated = Buffer.from(JSON.stringify({ id: "ada", roles: ["admin"], via: "key", exp: clock + 60_000 })).toString("base64url");
    const lastChar = signature.at(-1) === "A" ? "B" : "A";
    const attempts = {
      "signed by another key": signPrincipal(ada, impostor, 60_000, clock),
      "payload altered, signature kept": `${elevated}.${signature}`,
      "one character of the signature changed": `${payload}.${signature.slice(0, -1)}${lastChar}`,
      "the signature cut short": `${payload}.${signature.slice(0, -2)}`,
      "the genuine token with a trailing space": `${genuine} `,
      "the payload alone": payload,
    };
    const refused = Object.entries(attempts).map(([what, token]) => ({ what, why: refusedWhy(() => verifier.verify(token)) }));
    expect(refused).toHaveLength(6);
    expect(refused.filter((r) => !r.why.startsWith("principal token refused:"))).toEqual([]);
    // Each refusal left the cache as it was: the genuine token still passes, first try.
    expect(verifier.verify(genuine)).toEqual(ada);
  });

  it("refuses a cached token once it expired, also when it is the last one verified", () => {
    let clock = 1_000_000;
    const verifier = createPrincipalVerifier(publicKey, { now: () => clock });
    const short = signPrincipal(ada, privateKey, 1_000, clock);
    const long = signPrincipal(ops, privateKey, 60_000, clock);
    expect(verifier.verify(short)).toEqual(ada);
    clock += 1_000;
    expect(refusedWhy(() => verifier.verify(short))).toMatch(/^principal token refused: it expired /);
    // Expired while another token was verified last: found in the map, still refused.
    const shortToo = signPrincipal(ada, privateKey, 500, clock);
    expect(verifier.verify(shortToo)).toEqual(ada);
    expect(verifier.verify(long)).toEqual(ops);
    clock += 500;
    expect(refusedWhy(() => verifier.verify(shortToo))).toMatch(/it expired/);
    expect(verifier.verify(long)).toEqual(ops);
  });

  it("alternating principals each get their own, never the other's", () => {
    const verifier = createPrincipalVerifier(publicKey);
    const a = signPrincipal(ada, privateKey, 60_000);
    const o = signPrincipal(ops, privateKey, 60_000);
    const seen = Array.from({ length: 6 }, (_, i) => verifier.verify(i % 2 ? o : a).id);
    expect(seen).toEqual(["ada", "ops", "ada", "ops", "ada", "ops"]);
  });
});
