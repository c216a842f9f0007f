import type { JWTPayload, JWTVerifyGetKey } from "jose";
import { ErrorCode, type Principal } from "../../protocol/index.ts";
import { FuseError } from "../../errors/index.ts";
import type { JwtConfig } from "../../config/index.ts";
import type { Logger } from "../../log/index.ts";
import { invalidCredential } from "./auth-errors.ts";
import { bearerToken, type CredentialSource } from "./credential-source.ts";
import { VerifiedCache } from "./verified-cache.ts";

const SECRET_ALGORITHMS = ["HS256"];
const JWKS_ALGORITHMS = ["RS256", "ES256", "EdDSA"];
// Three base64url parts: what a JWS in compact form looks like (an API key never does).
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

type Jose = typeof import("jose");
type JoseErrors = Jose["errors"];
// Loaded with the first token, not with the gateway: most hubs take no JWT, and jose costs a
// start ~75 ms of CPU.
let jose: Promise<Jose> | undefined;
const loadJose = () => (jose ??= import("jose"));

/** The value at a dotted path of the claims (`realm_access.roles`), or at the whole name when a claim is literally called so. */
function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  let value: unknown = payload;
  for (const part of path.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Roles of a claim: an array of strings, or one space-separated string (as OAuth's `scope`). */
function rolesOf(value: unknown): string[] {
  if (typeof value === "string") return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((r): r is string => typeof r === "string" && r.length > 0);
  return [];
}

/** Why jose refused a token, in words for the client; the token's content is never echoed. */
function reasonOf(error: unknown, errors: JoseErrors): string {
  if (error instanceof errors.JWTExpired) return "the JWT has expired";
  if (error instanceof errors.JWTClaimValidationFailed) return `the JWT's "${error.claim}" claim is not accepted (${error.reason === "check_failed" ? "wrong value" : error.reason})`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the JWT's signature does not verify";
  if (error instanceof errors.JOSEAlgNotAllowed) return "the JWT is signed with an algorithm this hub does not accept";
  if (error instanceof errors.JWKSNoMatchingKey) return "the JWT is signed with a key the issuer's JWKS does not hold";
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) return "the JWT is malformed";
  return "the JWT is not valid";
}

/** A failure to fetch the issuer's keys: the hub's problem, not the client's credential. */
const keysUnreachable = (error: unknown, errors: JoseErrors) => error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError);

/**
 * JWTs as `Authorization: Bearer <jwt>`, verified by jose: signature (HMAC secret or the
 * issuer's JWKS, fetched and cached by jose), algorithm, `exp` (required) and `nbf` with the
 * clock tolerance, `iss` and `aud` when configured. The principal is `sub`; its roles come from
 * `rolesClaim`. Verified tokens are cached by their text until they expire (at most a minute).
 */
export function createJwtSource(config: JwtConfig, log: Logger): CredentialSource {
  // Made once: jose's key set caches the issuer's keys.
  let key: Uint8Array | JWTVerifyGetKey | undefined;
  const keyOf = ({ createRemoteJWKSet }: Jose) => (key ??= config.secret ? new TextEncoder().encode(config.secret) : createRemoteJWKSet(new URL(config.jwksUrl!), { timeoutDuration: 5000 }));
  const options = {
    algorithms: config.algorithms ?? (config.secret ? SECRET_ALGORITHMS : JWKS_ALGORITHMS),
    clockTolerance: config.clockToleranceMs / 1000,
    requiredClaims: ["exp", "sub"],
    ...(config.issuer !== undefined ? { issuer: config.issuer } : {}),
    ...(config.audience !== undefined ? { audience: config.audience } : {}),
  };
  const cache = new VerifiedCache();
  const tokenOf = (req: Parameters<CredentialSource["authenticate"]>[0]) => {
    const token = bearerToken(req);
    return token !== undefined && COMPACT_JWS.test(token) ? token : undefined;
  };
  return {
    name: "jwt",
    presented: (req) => tokenOf(req) !== undefined,
    authenticate: async (req) => {
      const token = bearerToken(req);
      if (token === undefined) return undefined;
      const now = Date.now();
      // A token seen lately is a map lookup; only a new one is looked at closer.
      const cached = cache.get(token, now);
      if (cached) return cached;
      if (!COMPACT_JWS.test(token)) return undefined;
      const j = await loadJose();
      const { jwtVerify, errors } = j;
      const verifyWith = keyOf(j);
      let payload: JWTPayload;
      try {
        // jose's overloads differ for a key and a key function; both take the same options.
        payload = (typeof verifyWith === "function" ? await jwtVerify(token, verifyWith, options) : await jwtVerify(token, verifyWith, options)).payload;
      } catch (error) {
        if (keysUnreachable(error, errors)) {
          log.error({ err: error, jwksUrl: config.jwksUrl }, "JWT keys could not be fetched from the issuer");
          throw new FuseError(ErrorCode.INTERNAL, "the issuer's keys (gateway.auth.jwt.jwksUrl) could not be fetched to check the JWT", { cause: error });
        }
        throw invalidCredential("jwt", reasonOf(error, errors));
      }
      const principal: Principal = Object.freeze({ id: payload.sub!, roles: Object.freeze(rolesOf(claimAt(payload, config.rolesClaim))), via: "jwt" });
      cache.set(token, principal, payload.exp! * 1000, now);
      return principal;
    },
  };
}
