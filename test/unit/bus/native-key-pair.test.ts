import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { decode as decodeJwt, encodeUser } from "@nats-io/jwt";
import { createAccount, createUser, fromPublic, fromSeed, NKeysError, Prefix } from "@nats-io/nkeys";
import { Codec } from "@nats-io/nkeys/lib/codec.js";
import { afterAll, describe, expect, it } from "vitest";
import { natsAuthenticator } from "../../../runtime/bus/index.ts";
import { createNativeKeyPair, nativeKeyPair } from "../../../runtime/bus/native-key-pair.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

// Native crypto must give what nkeys.js gives, byte for byte: the server and every NATS client
// check these keys and signatures with their own Ed25519.
describe("an NKey pair in native crypto", () => {
  it("has nkeys.js's public key, private key and signatures for 8 random seeds of each kind", () => {
    for (const prefix of [Prefix.User, Prefix.Account, Prefix.Operator]) {
      for (let i = 0; i < 8; i++) {
        const seed = Codec.encodeSeed(prefix, randomBytes(32));
        const theirs = fromSeed(seed);
        const ours = nativeKeyPair(text(seed));
        const message = randomBytes(1 + i * 17);
        expect(ours.getPublicKey()).toBe(theirs.getPublicKey());
        expect(text(ours.getPrivateKey())).toBe(text(theirs.getPrivateKey()));
        expect(text(ours.getSeed())).toBe(text(seed));
        const signature = ours.sign(message);
        expect(Buffer.from(signature).equals(Buffer.from(theirs.sign(message)))).toBe(true);
        expect(fromPublic(ours.getPublicKey()).verify(message, signature)).toBe(true);
        expect(ours.verify(message, theirs.sign(message))).toBe(true);
        expect(ours.verify(Buffer.concat([message, Buffer.from("x")]), signature)).toBe(false);
      }
    }
  });

  it("makes keys of the asked kind, different each time", () => {
    const users = Array.from({ length: 10 }, () => createNativeKeyPair(Prefix.User).getPublicKey());
    expect(users.every((key) => key.startsWith("U"))).toBe(true);
    expect(new Set(users).size).toBe(10);
    expect(createNativeKeyPair(Prefix.Account).getPublicKey()).toMatch(/^A/);
  });

  it("signs a user JWT that nkeys.js's account key verifies as its own", async () => {
    const account = fromSeed(createAccount().getSeed());
    const jwt = await encodeUser("alpha", createNativeKeyPair(Prefix.User), nativeKeyPair(text(account.getSeed())));
    const [header, payload, signature] = jwt.split(".");
    expect(account.verify(new TextEncoder().encode(`${header}.${payload}`), Buffer.from(signature!, "base64url"))).toBe(true);
    expect(decodeJwt(jwt).iss).toBe(account.getPublicKey());
  });

  it("refuses a text that is not a seed, and any use once cleared", () => {
    expect(() => nativeKeyPair("UABCDEF")).toThrow(NKeysError);
    expect(() => nativeKeyPair(createUser().getPublicKey())).toThrow(NKeysError);
    const pair = createNativeKeyPair(Prefix.User);
    pair.clear();
    expect(() => pair.getPublicKey()).toThrow(NKeysError);
    expect(() => pair.sign(new Uint8Array(4))).toThrow(NKeysError);
  });
});

describe("a credential file's authenticator", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fuse-creds-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string) => {
    const at = path.join(dir, name);
    writeFileSync(at, content);
    return at;
  };
  const nonce = "n0nce-from-the-server";

  it("signs the server's nonce with a bare user seed", () => {
    const user = createUser();
    const auth = natsAuthenticator(file("user.seed", `${text(user.getSeed())}\n`))(nonce) as { nkey: string; sig: string };
    expect(auth.nkey).toBe(user.getPublicKey());
    expect(user.verify(new TextEncoder().encode(nonce), Buffer.from(auth.sig, "base64"))).toBe(true);
  });

  it("hands over the JWT of a .creds file and signs with its seed", async () => {
    const user = createUser();
    const jwt = await encodeUser("alpha", user, createAccount());
    const creds = `-----BEGIN NATS USER JWT-----\n${jwt}\n------END NATS USER JWT------\n\n*** IMPORTANT ***\n\n-----BEGIN USER NKEY SEED-----\n${text(user.getSeed())}\n------END USER NKEY SEED------\n`;
    const auth = natsAuthenticator(file("alpha.creds", creds))(nonce) as { jwt: string; nkey: string; sig: string };
    expect(auth.jwt).toBe(jwt);
    expect(auth.nkey).toBe(user.getPublicKey());
    expect(user.verify(new TextEncoder().encode(nonce), Buffer.from(auth.sig, "base64"))).toBe(true);
  });

  it("names the file when it holds no seed", () => {
    const noSeed = file("broken.creds", "-----BEGIN NATS USER JWT-----\neyJ0eXAiOiJKV1QifQ.e30.c2ln\n------END NATS USER JWT------\n");
    expect(() => natsAuthenticator(noSeed)).toThrow(`${noSeed} is a NATS .creds file without a user seed`);
    const junk = file("junk.creds", "hello\n");
    expect(() => natsAuthenticator(junk)).toThrow(`${junk} holds neither an NKey user seed (SU…) nor a NATS .creds file`);
  });
});
