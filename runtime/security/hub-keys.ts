import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors/index.ts";

/** Where the hub's principal keys are, as paths handed to its processes. */
export interface HubKeyPaths {
  /** The Ed25519 private key (PEM, mode 0600): only the gateway gets its path. */
  signingKey: string;
  /** The public key (PEM): every actor process gets its path, to verify `Fuse-Principal`. */
  publicKey: string;
}

/** The folder under the hub's `.fuse/` that holds keys. */
export const KEYS_FOLDER = "keys";

/** The DER head of a PKCS#8 Ed25519 private key (RFC 8410), before its 32-byte seed. */
const ED25519_PKCS8_HEAD = Buffer.from("302e020100300506032b657004220420", "hex");

/** The Ed25519 key pair a 32-byte seed determines. */
export function keyPairFromSeed(seed: Uint8Array) {
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_HEAD, seed]), format: "der", type: "pkcs8" });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/**
 * Makes a fresh Ed25519 key pair for this run of the hub in `<fuseDir>/keys/` (folder 0700,
 * files 0600). A new pair at every start: tokens of an earlier run stop being valid with it,
 * and no process of that run outlives the hub. With `seed` (32 bytes, a cluster node's, derived
 * from the cluster's secret) the pair is the one every node of the cluster has, so a principal
 * signed by any node's gateway is verified on every node.
 */
export function createHubKeys(fuseDir: string, seed?: Uint8Array): HubKeyPaths {
  const paths = hubKeyPaths(fuseDir);
  const dir = path.dirname(paths.signingKey);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const { privateKey, publicKey } = seed ? keyPairFromSeed(seed) : generateKeyPairSync("ed25519");
  write(paths.signingKey, privateKey.export({ type: "pkcs8", format: "pem" }).toString());
  write(paths.publicKey, publicKey.export({ type: "spki", format: "pem" }).toString());
  return paths;
}

/** Where `createHubKeys` puts the key pair of the hub whose `.fuse/` folder is `fuseDir`. */
export function hubKeyPaths(fuseDir: string): HubKeyPaths {
  const dir = path.join(fuseDir, KEYS_FOLDER);
  return { signingKey: path.join(dir, "principal-signing.pem"), publicKey: path.join(dir, "principal-public.pem") };
}

// Written with 0600 from the start (no moment of a wider mode), and set again for a file an earlier run left.
export function write(file: string, pem: string): void {
  writeFileSync(file, pem, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * Reads a key file named by the hub (an env path).
 * @throws CONFIG_INVALID naming the variable and the path when it cannot be read.
 */
export function readKeyFile(file: string, variable: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`${variable}=${file}: the key file cannot be read (${(error as Error).message})`);
  }
}
