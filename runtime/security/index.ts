/**
 * @module security
 * Who is calling, proved on the bus: the principal token the gateway signs and every actor
 * verifies (Ed25519, node:crypto), the hub's key pair made at start, and the gateway's stored
 * credentials. No I/O beyond the key files it is given.
 * May import: protocol and errors.
 */
export {
  signPrincipal,
  verifyPrincipal,
  verifyPrincipalToken,
  createPrincipalVerifier,
  createPrincipalSigner,
  type KeyInput,
  type PrincipalSigner,
  type PrincipalVerifier,
  type VerifiedPrincipal,
} from "./principal-token.ts";
export { createDatabaseAuth, type DatabaseAuth } from "./database-auth.ts";
export { createHubKeys, hubKeyPaths, readKeyFile, KEYS_FOLDER, type HubKeyPaths } from "./hub-keys.ts";
export { createLoginLink, consumeLoginLink, LOGIN_LINK_TTL_MS } from "./login-links.ts";
export {
  ApiKeyStore,
  API_KEY_PREFIX,
  apiKeyFile,
  createApiKey,
  parseApiKey,
  parseDuration,
  readApiKeys,
  revokeApiKey,
  verifyApiKey,
  type ApiKeyRecord,
  type ApiKeyRefusal,
  type CreateApiKeyOptions,
  type CreatedApiKey,
} from "./api-key-store.ts";
