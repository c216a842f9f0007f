import { ErrorCode, type Principal } from "../../protocol/index.ts";
import { FuseError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import { API_KEY_PREFIX, ApiKeyStore, apiKeyFile, verifyApiKey } from "../../security/index.ts";
import { invalidCredential } from "./auth-errors.ts";
import { bearerToken, type AuthRequest, type CredentialSource } from "./credential-source.ts";
import { VerifiedCache } from "./verified-cache.ts";

/** The header a client may send its API key in instead of `Authorization: Bearer`. */
export const API_KEY_HEADER = "x-api-key";

/** The API key of a request: `X-Api-Key`, or a Bearer token that looks like a Fuse key. */
function keyOf(req: AuthRequest): string | undefined {
  const header = req.header(API_KEY_HEADER)?.trim();
  if (header) return header;
  const bearer = bearerToken(req);
  return bearer?.startsWith(API_KEY_PREFIX) ? bearer : undefined;
}

const REFUSALS = {
  malformed: "the API key is malformed: expected fuse_<id>_<secret> as printed by fuse keys create",
  unknown: "the API key is not known to this hub (revoked, or never created here)",
  expired: "the API key has expired: create a new one with fuse keys create",
} as const;

/**
 * API keys made by `fuse keys create`, checked against the hub's key file, watched: a key created
 * or revoked counts from the next request, and a change drops the cache of verified keys, so a
 * revoked key is never served from it.
 */
export function createApiKeySource(hubDir: string, log: Logger): CredentialSource {
  const store = new ApiKeyStore(apiKeyFile(hubDir));
  if (!store.watch()) log.info({ file: store.file }, "the API key folder cannot be watched: the key file is checked on every request instead");
  const cache = new VerifiedCache();
  const keys = () => {
    try {
      return store.current();
    } catch (error) {
      // A damaged key file refuses every key (never "no keys, let all in"), and says why in the log.
      log.error({ err: error, file: store.file }, "API key file cannot be read: every API key is refused");
      throw new FuseError(ErrorCode.INTERNAL, "the hub's API key file cannot be read; its log says why", { cause: error });
    }
  };
  return {
    name: "api-key",
    presented: (req) => keyOf(req) !== undefined,
    authenticate: async (req) => {
      const key = keyOf(req);
      if (key === undefined) return undefined;
      const { byId, changed } = keys();
      if (changed) cache.clear();
      const now = Date.now();
      const cached = cache.get(key, now);
      if (cached) return cached;
      const result = verifyApiKey(byId, key, now);
      if (typeof result === "string") throw invalidCredential("api-key", REFUSALS[result]);
      const principal: Principal = Object.freeze({ id: result.name, roles: Object.freeze([...result.roles]), via: "key" });
      cache.set(key, principal, result.expires ?? undefined, now);
      return principal;
    },
    close: () => store.close(),
  };
}
