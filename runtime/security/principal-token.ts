import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { FuseError } from "../errors/index.ts";
import { ErrorCode, type Principal, type PrincipalVia } from "../protocol/index.ts";

/**
 * The principal as it travels on the bus (`Fuse-Principal`): `<payload>.<signature>`, both
 * base64url; the payload is compact JSON `{ id, roles, via, exp }` (exp in epoch ms) and the
 * signature Ed25519 over the payload's base64url text. Only the gateway holds the private key;
 * every actor process holds the public one, so a bus client can neither forge nor alter it.
 */

const VIAS: ReadonlySet<string> = new Set<PrincipalVia>(["key", "jwt", "local", "session"]);
/** Longest token text taken: a principal's id and roles are short; a huge header is an attack. */
const MAX_TOKEN_LENGTH = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function unauthenticated(why: string): FuseError {
  return new FuseError(ErrorCode.UNAUTHENTICATED, `principal token refused: ${why}`);
}

/** A key given as a KeyObject or PEM text. */
export type KeyInput = KeyObject | string;

const privateKeyOf = (key: KeyInput): KeyObject => (typeof key === "string" ? createPrivateKey(key) : key);
const publicKeyOf = (key: KeyInput): KeyObject => (typeof key === "string" ? createPublicKey(key) : key);

/**
 * Signs `principal` for `ttlMs` (from `now`) with the hub's Ed25519 private key.
 * @example const token = signPrincipal({ id: "ops", roles: ["admin"], via: "key" }, key, 600_000);
 */
export function signPrincipal(principal: Principal, key: KeyInput, ttlMs: number, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ id: principal.id, roles: principal.roles, via: principal.via, exp: now + ttlMs })).toString("base64url");
  const signature = sign(null, Buffer.from(payload), privateKeyOf(key)).toString("base64url");
  return `${payload}.${signature}`;
}

/** A verified token: the principal and when it stops being valid (epoch ms). */
export interface VerifiedPrincipal {
  principal: Principal;
  exp: number;
}

function readPayload(text: string): VerifiedPrincipal {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw unauthenticated("its payload is not base64url JSON");
  }
  const { id, roles, via, exp } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof id !== "string" || !id || !Array.isArray(roles) || !roles.every((r) => typeof r === "string") || typeof via !== "string" || !VIAS.has(via) || typeof exp !== "number") {
    throw unauthenticated("its payload is not { id, roles, via, exp }");
  }
  const principal: Principal = Object.freeze({ id, roles: Object.freeze([...(roles as string[])]), via: via as PrincipalVia });
  return { principal, exp };
}

/**
 * Checks a token's form, signature and expiry, without any cache.
 * @throws UNAUTHENTICATED naming why: malformed, badly signed, or expired.
 */
export function verifyPrincipalToken(token: string, publicKey: KeyInput, now = Date.now()): VerifiedPrincipal {
  if (token.length > MAX_TOKEN_LENGTH) throw unauthenticated(`it is longer than ${MAX_TOKEN_LENGTH} characters`);
  const dot = token.indexOf(".");
  if (dot <= 0 || dot === token.length - 1 || token.indexOf(".", dot + 1) >= 0) throw unauthenticated("expected <payload>.<signature>");
  const payload = token.slice(0, dot);
  const signatureText = token.slice(dot + 1);
  // Only the canonical text of a signature: base64url decoding skips stray characters and the
  // last character's spare bits, so other texts could name the same bytes.
  if (!BASE64URL.test(payload) || !BASE64URL.test(signatureText)) throw unauthenticated("expected <payload>.<signature> in base64url");
  const signature = Buffer.from(signatureText, "base64url");
  let valid = false;
  try {
    valid = signature.length === 64 && signature.toString("base64url") === signatureText && verify(null, Buffer.from(payload), publicKeyOf(publicKey), signature);
  } catch {
    valid = false;
  }
  if (!valid) throw unauthenticated("its signature is not the hub's");
  const verified = readPayload(payload);
  if (verified.exp <= now) throw unauthenticated(`it expired ${new Date(verified.exp).toISOString()}`);
  return verified;
}

/** Checks `Fuse-Principal` tokens; what the SDK holds in each actor process. */
export interface PrincipalVerifier {
  /** @throws UNAUTHENTICATED naming why the token is refused. */
  verify(token: string): Principal;
}

/**
 * A verifier with a bounded cache of verified tokens by their text: the gateway reuses one
 * token per principal for minutes, so after its first request a token costs a map lookup
 * and an expiry check, not an Ed25519 verification.
 */
export function createPrincipalVerifier(publicKey: KeyInput, options: { cacheSize?: number; now?: () => number } = {}): PrincipalVerifier {
  const key = publicKeyOf(publicKey);
  const limit = options.cacheSize ?? 1000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, VerifiedPrincipal>();
  // The token verified last: the requests an instance serves mostly carry one principal's
  // token, and comparing with it spares hashing the whole text for the map.
  let lastToken = "";
  let last: VerifiedPrincipal | undefined;
  return {
    verify(token) {
      const at = now();
      if (token === lastToken && last!.exp > at) return last!.principal;
      const hit = cache.get(token);
      if (hit) {
        if (hit.exp > at) {
          lastToken = token;
          last = hit;
          return hit.principal;
        }
        cache.delete(token);
      }
      const verified = verifyPrincipalToken(token, key, at);
      // The oldest entry goes first: a Map iterates in insertion order.
      if (cache.size >= limit) cache.delete(cache.keys().next().value!);
      cache.set(token, verified);
      lastToken = token;
      last = verified;
      return verified.principal;
    },
  };
}

/** Shorthand for one token: `createPrincipalVerifier(publicKey).verify(token)` without a cache. */
export function verifyPrincipal(token: string, publicKey: KeyInput): Principal {
  return verifyPrincipalToken(token, publicKey).principal;
}

/** Signs tokens for the gateway; `tokenFor` gives the same token for a principal until it nears expiry. */
export interface PrincipalSigner {
  tokenFor(principal: Principal): string;
}

/**
 * A signer that reuses one token per principal (by via, id and roles) while more than
 * `renewBeforeMs` of its life remains: requests of one caller share a token, so the actors'
 * caches hit. `renewBeforeMs` must cover the longest request (with the calls it makes).
 */
export function createPrincipalSigner(privateKey: KeyInput, options: { ttlMs?: number; renewBeforeMs?: number; cacheSize?: number; now?: () => number } = {}): PrincipalSigner {
  const key = privateKeyOf(privateKey);
  const ttlMs = options.ttlMs ?? 15 * 60_000;
  const renewBeforeMs = options.renewBeforeMs ?? 6 * 60_000;
  const limit = options.cacheSize ?? 1000;
  const now = options.now ?? Date.now;
  const tokens = new Map<string, { token: string; exp: number }>();
  return {
    tokenFor(principal) {
      const id = `${principal.via}\u0000${principal.id}\u0000${principal.roles.join(",")}`;
      const at = now();
      const held = tokens.get(id);
      if (held && held.exp - at > renewBeforeMs) return held.token;
      const token = signPrincipal(principal, key, ttlMs, at);
      tokens.delete(id);
      if (tokens.size >= limit) tokens.delete(tokens.keys().next().value!);
      tokens.set(id, { token, exp: at + ttlMs });
      return token;
    },
  };
}
