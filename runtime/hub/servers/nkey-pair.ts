import { nkeys } from "nats";

/** The part of nkeys.js (re-exported untyped by nats) used here. */
interface UserKeyPair {
  getPublicKey(): string;
  getSeed(): Uint8Array;
}

/** A new NATS user identity: its seed (`SU…`, the secret) and public key (`U…`, for the server's config). */
export function createNkeyPair(): { seed: string; publicKey: string } {
  const pair = nkeys.createUser() as UserKeyPair;
  return { seed: new TextDecoder().decode(pair.getSeed()), publicKey: pair.getPublicKey() };
}

/** The public key of a user seed, or undefined when the text is not one. */
export function publicKeyOfSeed(seed: string): string | undefined {
  try {
    return (nkeys.fromSeed(new TextEncoder().encode(seed.trim())) as UserKeyPair).getPublicKey();
  } catch {
    return undefined;
  }
}
