import { readFileSync } from "node:fs";
import { credsAuthenticator, nkeyAuthenticator, type Authenticator } from "nats";
import { ConfigError } from "../errors/index.ts";

const JWT_CREDS = /-----BEGIN NATS USER JWT-----/;
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
  if (JWT_CREDS.test(text)) return credsAuthenticator(Buffer.from(text));
  const seed = text.trim();
  if (!NKEY_SEED.test(seed)) throw new ConfigError(`${credsFile} holds neither an NKey user seed (SU…) nor a NATS .creds file`);
  return nkeyAuthenticator(Buffer.from(seed));
}
