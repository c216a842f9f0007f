import { ErrorCode, LOCAL_ADMIN, type Principal } from "../../protocol/index.ts";
import { FuseError } from "../../errors/index.ts";
import { hasAuthentication, type GatewayAuthConfig, type RateLimitConfig } from "../../config/index.ts";
import type { Logger } from "../../log/index.ts";
import { createApiKeySource, API_KEY_HEADER } from "./api-key-source.ts";
import { invalidCredential, rateLimited } from "./auth-errors.ts";
import { bearerToken, type AuthRequest, type CredentialSource } from "./credential-source.ts";
import { createJwtSource } from "./jwt-source.ts";
import { TokenBuckets } from "./token-buckets.ts";

export interface AuthenticatorOptions {
  /** The hub folder, whose `.fuse/keys/api-keys.json` holds the API keys. */
  hubDir: string;
  /** `gateway.auth`; undefined or `none`: every request is the local admin. */
  auth: GatewayAuthConfig | undefined;
  /** `gateway.rateLimit`; default: 10 failed authentications a minute per address, nothing else. */
  rateLimit?: RateLimitConfig;
  log: Logger;
  /** More credential sources after API keys and JWTs (the dashboard's session cookie). */
  sources?: CredentialSource[];
}

export interface Authenticator {
  /**
   * The request's principal; undefined when it carries no credential (and one is configured).
   * Throws UNAUTHENTICATED for a bad credential and RATE_LIMITED past a budget.
   */
  authenticate(req: AuthRequest): Promise<Principal | undefined>;
  /** Whether credentials are checked at all (false: everyone is the local admin). */
  readonly required: boolean;
  /** Adds a credential source at the end of the chain (the dashboard's session cookie). */
  use(source: CredentialSource): void;
  close(): void;
}

export const DEFAULT_FAILED_AUTH = { attempts: 10, perMs: 60_000 };

const unrecognized = () =>
  invalidCredential("api-key", "the credential is neither an API key nor a JWT this hub accepts (expected Authorization: Bearer fuse_… or a JWT, or X-Api-Key)");

/**
 * The gateway's authentication: a chain of credential sources (API keys, JWTs, then any added)
 * with rate limits around it. With neither keys nor JWTs configured (or `auth: none`) every
 * request is the local admin (the gateway is then on loopback unless `none` says otherwise). Failed authentications are counted per client address; once an
 * address has used its budget, every request from it that carries a credential, a right one
 * included, is 429 until the budget refills (one attempt per `perMs / attempts`), so a guess
 * cannot be confirmed while held. Requests without a credential (public endpoints) pass.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { auth, log } = options;
  const sources: CredentialSource[] = [];
  if (hasAuthentication(auth)) {
    if (auth.keys) sources.push(createApiKeySource(options.hubDir, log));
    if (auth.jwt) sources.push(createJwtSource(auth.jwt, log));
  }
  sources.push(...(options.sources ?? []));
  const limits = options.rateLimit;
  const failed = new TokenBuckets({ capacity: (limits?.failedAuth ?? DEFAULT_FAILED_AUTH).attempts, perMs: (limits?.failedAuth ?? DEFAULT_FAILED_AUTH).perMs });
  const perAddress = limits?.perAddress && new TokenBuckets({ capacity: limits.perAddress.requests, perMs: limits.perAddress.perMs });
  const perPrincipal = limits?.perPrincipal && new TokenBuckets({ capacity: limits.perPrincipal.requests, perMs: limits.perPrincipal.perMs });
  // Added sources (a session cookie) only add a way in: without keys or JWTs configured, every request stays the local admin.
  const required = hasAuthentication(auth);

  const presented = (req: AuthRequest) => req.header("authorization") !== undefined || req.header(API_KEY_HEADER) !== undefined || sources.some((s) => s.presented(req));

  async function fromSources(req: AuthRequest): Promise<Principal | undefined> {
    for (const source of sources) {
      const principal = await source.authenticate(req);
      if (principal) return principal;
    }
    // A Bearer token or key header no source took is a bad credential, not "none".
    if (bearerToken(req) !== undefined || req.header(API_KEY_HEADER) !== undefined) throw unrecognized();
    return undefined;
  }

  function limitPrincipal(principal: Principal): Principal {
    const wait = perPrincipal?.take(`${principal.via}:${principal.id}`) ?? 0;
    if (wait) throw rateLimited("perPrincipal", wait, `too many requests from ${principal.id} (gateway.rateLimit.perPrincipal)`);
    return principal;
  }

  return {
    required,
    authenticate: async (req) => {
      const addressWait = perAddress?.take(req.address) ?? 0;
      if (addressWait) throw rateLimited("perAddress", addressWait, `too many requests from ${req.address} (gateway.rateLimit.perAddress)`);
      if (!required) return limitPrincipal(LOCAL_ADMIN);
      const held = failed.waitMs(req.address);
      if (held && presented(req)) throw rateLimited("failedAuth", held, `too many failed authentications from ${req.address} (gateway.rateLimit.failedAuth)`);
      let principal: Principal | undefined;
      try {
        principal = await fromSources(req);
      } catch (error) {
        if (error instanceof FuseError && error.code === ErrorCode.UNAUTHENTICATED) {
          failed.take(req.address);
          if (failed.waitMs(req.address)) log.warn({ address: req.address, reason: error.message }, "too many failed authentications: credentials from this address are refused for a while");
          else if (log.isLevelEnabled("debug")) log.debug({ address: req.address, reason: error.message }, "authentication failed");
        }
        throw error;
      }
      return principal && limitPrincipal(principal);
    },
    use: (source) => {
      sources.push(source);
    },
    close: () => {
      for (const source of sources) source.close?.();
    },
  };
}
