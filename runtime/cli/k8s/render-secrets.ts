import { generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { createNkeyPair, publicKeyOfSeed } from "../../hub/index.ts";
import type { IdentityKeys } from "./render-manifests.ts";
import { SecretKeys } from "./k8s-objects.ts";

interface SecretDoc {
  kind?: string;
  metadata?: { name?: string };
  stringData?: Record<string, string>;
}

/** The Secrets of an earlier render, by name: their values are kept, so a render again rotates nothing. */
export function readRenderedSecrets(file: string): Map<string, Record<string, string>> {
  const found = new Map<string, Record<string, string>>();
  if (!existsSync(file)) return found;
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (!("toJS" in doc)) continue;
    const secret = doc.toJS() as SecretDoc | null;
    if (secret?.kind === "Secret" && secret.metadata?.name && secret.stringData) found.set(secret.metadata.name, secret.stringData);
  }
  return found;
}

/** An identity's key pair: the earlier render's seed when it has a valid one, else a new one. */
export function identityKeysFor(earlier: Record<string, string> | undefined): IdentityKeys {
  const seed = earlier?.[SecretKeys.seed];
  const publicKey = seed ? publicKeyOfSeed(seed) : undefined;
  return seed && publicKey ? { seed, publicKey } : createNkeyPair();
}

/** The principal key pair (Ed25519, PEM, as the hub makes it): the earlier render's, else a new one. */
export function principalKeysFor(earlier: Record<string, string> | undefined): { publicKey: string; signingKey: string } {
  const publicKey = earlier?.[SecretKeys.publicKey];
  const signingKey = earlier?.[SecretKeys.signingKey];
  if (publicKey && signingKey) return { publicKey, signingKey };
  const pair = generateKeyPairSync("ed25519");
  return { publicKey: pair.publicKey.export({ type: "spki", format: "pem" }).toString(), signingKey: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}
