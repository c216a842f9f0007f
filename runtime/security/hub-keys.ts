import { generateKeyPairSync } from "node:crypto";
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

/**
 * Makes a fresh Ed25519 key pair for this run of the hub in `<fuseDir>/keys/` (folder 0700,
 * files 0600). A new pair at every start: tokens of an earlier run stop being valid with it,
 * and no process of that run outlives the hub.
 */
export function createHubKeys(fuseDir: string): HubKeyPaths {
  const paths = hubKeyPaths(fuseDir);
  const dir = path.dirname(paths.signingKey);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
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
function write(file: string, pem: string): void {
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
