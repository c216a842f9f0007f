import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import { NKeysError, NKeysErrorCode, Prefix, type KeyPair } from "@nats-io/nkeys";
// nkeys.js keeps its seed and key codec off its public entry (pinned version in package.json).
import { Codec } from "@nats-io/nkeys/lib/codec.js";

// A raw 32-byte Ed25519 seed wrapped as PKCS#8 (RFC 8410), the form Node's crypto takes.
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const text = new TextDecoder();

/**
 * An NKey pair (operator, account or user key) whose Ed25519 work runs in Node's native crypto.
 * nkeys.js does it in plain JavaScript (tweetnacl) and derives the public key from the seed
 * again on every call: that was a third of `fuse up`'s own CPU (about 0.5 s: every identity's
 * JWT is signed at start) and about 30 ms of each process's start (signing the server's nonce).
 * Signatures are the same bytes (Ed25519 is deterministic), and it is an nkeys.js KeyPair, so
 * @nats-io/jwt signs with it as with its own.
 * @param seed an encoded seed (`SU…`, `SA…`, `SO…`). @throws NKeysError when it is not one.
 */
export function nativeKeyPair(seed: Uint8Array | string): KeyPair {
  const encoded = typeof seed === "string" ? new TextEncoder().encode(seed) : Uint8Array.from(seed);
  const { prefix, buf: raw } = Codec.decodeSeed(encoded);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, raw]), format: "der", type: "pkcs8" });
  const publicKey = createPublicKey(privateKey);
  // The SPKI form ends with the raw 32-byte public key.
  const rawPublic = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return new NativeKeyPair(encoded, text.decode(Codec.encode(prefix, rawPublic)), privateKey, publicKey, raw, rawPublic);
}

/** A new random key pair of one kind (Prefix.User, Prefix.Account, Prefix.Operator). */
export function createNativeKeyPair(prefix: Prefix): KeyPair {
  return nativeKeyPair(Codec.encodeSeed(prefix, randomBytes(32)));
}

class NativeKeyPair implements KeyPair {
  #seed: Uint8Array | undefined;

  constructor(
    seed: Uint8Array,
    private readonly publicText: string,
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
    private readonly rawSeed: Uint8Array,
    private readonly rawPublic: Uint8Array,
  ) {
    this.#seed = seed;
  }

  getPublicKey(): string {
    this.live();
    return this.publicText;
  }

  getPrivateKey(): Uint8Array {
    this.live();
    return Codec.encode(Prefix.Private, Buffer.concat([this.rawSeed, this.rawPublic]));
  }

  getSeed(): Uint8Array {
    return this.live();
  }

  sign(input: Uint8Array): Uint8Array {
    this.live();
    return new Uint8Array(sign(null, input, this.privateKey));
  }

  verify(input: Uint8Array, signature: Uint8Array): boolean {
    this.live();
    return verify(null, input, this.publicKey, signature);
  }

  /** Forgets the seed as nkeys.js does (the key object inside crypto cannot be wiped; it is dropped with this pair). */
  clear(): void {
    this.#seed?.fill(0);
    this.rawSeed.fill(0);
    this.#seed = undefined;
  }

  seal(): Uint8Array {
    throw new NKeysError(NKeysErrorCode.InvalidNKeyOperation);
  }

  open(): Uint8Array | null {
    throw new NKeysError(NKeysErrorCode.InvalidNKeyOperation);
  }

  private live(): Uint8Array {
    if (!this.#seed) throw new NKeysError(NKeysErrorCode.ClearedPair);
    return this.#seed;
  }
}
