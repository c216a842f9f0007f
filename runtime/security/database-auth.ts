import { sign } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { KEYS_FOLDER, keyPairFromSeed, write } from "./hub-keys.ts";

/** What a cluster's database wants of its clients, as files under the node's `.fuse/keys/`. */
export interface DatabaseAuth {
  /** The Ed25519 public key (PEM) sqld verifies tokens with (`--auth-jwt-key-file`). */
  publicKeyFile: string;
  /** The token (a JWT, mode 0600) every process of the node sends; its path is what processes get. */
  tokenFile: string;
  token: string;
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * The key and token of a cluster's one sqld, from a 32-byte seed every node derives from the
 * cluster's secret (hub/cluster/cluster-settings.ts): each node makes a token the database's
 * node accepts, and no key or token travels between hosts. The token (EdDSA, libSQL's format)
 * carries no expiry: it is as long-lived as the secret, and changing the secret revokes it.
 */
export function createDatabaseAuth(fuseDir: string, seed: Uint8Array): DatabaseAuth {
  const dir = path.join(fuseDir, KEYS_FOLDER);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = keyPairFromSeed(seed);
  const signed = `${base64url({ alg: "EdDSA", typ: "JWT" })}.${base64url({ iat: Math.floor(Date.now() / 1000) })}`;
  const token = `${signed}.${sign(null, Buffer.from(signed), privateKey).toString("base64url")}`;
  const auth = { publicKeyFile: path.join(dir, "db-public.pem"), tokenFile: path.join(dir, "db.token"), token };
  write(auth.publicKeyFile, publicKey.export({ type: "spki", format: "pem" }).toString());
  write(auth.tokenFile, token);
  return auth;
}
