// Moleculer's NATS transporter for the bench's server: with MOL_NATS_CREDS (a NATS .creds file),
// nats.js signs the server's nonce with it, as every other system of the bench connects.
import { readFileSync } from "node:fs";
import { credsAuthenticator } from "nats";

export function molTransporter(): string | { type: "NATS"; options: Record<string, unknown> } {
  const url = process.env.NATS_URL!;
  const creds = process.env.MOL_NATS_CREDS;
  if (!creds) return url;
  return { type: "NATS", options: { url, authenticator: credsAuthenticator(readFileSync(creds)) } };
}
