import { Prefix } from "@nats-io/nkeys";
import { createNativeKeyPair, nativeKeyPair } from "../../bus/index.ts";

/** A new NATS user identity: its seed (`SU…`, the secret) and public key (`U…`, for the server's config). */
export function createNkeyPair(): { seed: string; publicKey: string } {
  const pair = createNativeKeyPair(Prefix.User);
  return { seed: new TextDecoder().decode(pair.getSeed()), publicKey: pair.getPublicKey() };
}

/** The public key of a user seed, or undefined when the text is not one. */
export function publicKeyOfSeed(seed: string): string | undefined {
  try {
    const publicKey = nativeKeyPair(seed.trim()).getPublicKey();
    return publicKey.startsWith("U") ? publicKey : undefined;
  } catch {
    return undefined;
  }
}
