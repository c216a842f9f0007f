import { readFileSync } from "node:fs";
import type { Authenticator } from "nats";
import { ConfigError } from "../errors/index.ts";
import { nativeKeyPair } from "./native-key-pair.ts";

const JWT_CREDS = /-----BEGIN NATS USER JWT-----\s*([\w\-.=]+)\s*-+END NATS USER JWT-+/;
const CREDS_SEED = /-----BEGIN USER NKEY SEED-----\s*(SU[A-Z2-7]{56})\s*-+END USER NKEY SEED-+/;
const NKEY_SEED = /^SU[A-Z2-7]{56}$/;

/**
 * nats.js's authenticator for a credential file: an NKey user seed (`SU…`, what the hub makes
 * for each process) or a `.creds` file (JWT and seed, what `nsc` makes for an external
 * server). Read once per process; the secret stays in memory and never reaches argv or a log.
 */
export function natsAuthenticator(credsFile: string): Authenticator {
  let text: string;
  try {
    text = readFileSync(credsFile, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read the NATS credential file ${credsFile}: ${(error as Error).message}`, { cause: error });
  }
  const jwt = JWT_CREDS.exec(text)?.[1];
  if (jwt) {
    const seed = CREDS_SEED.exec(text)?.[1];
    if (!seed) throw new ConfigError(`${credsFile} is a NATS .creds file without a user seed (-----BEGIN USER NKEY SEED-----)`);
    return seedAuthenticator(seed, jwt);
  }
  const seed = text.trim();
  if (!NKEY_SEED.test(seed)) throw new ConfigError(`${credsFile} holds neither an NKey user seed (SU…) nor a NATS .creds file`);
  return seedAuthenticator(seed);
}

/**
 * Signs the server's nonce with the user's key (and hands over its JWT), as nats.js's nkey and
 * creds authenticators do, but in native crypto: theirs cost each process ~30 ms at connect.
 */
function seedAuthenticator(seed: string, jwt?: string): Authenticator {
  const pair = nativeKeyPair(seed);
  const nkey = pair.getPublicKey();
  return (nonce?: string) => {
    const sig = nonce ? Buffer.from(pair.sign(new TextEncoder().encode(nonce))).toString("base64") : "";
    return jwt ? { jwt, nkey, sig } : { nkey, sig };
  };
}
