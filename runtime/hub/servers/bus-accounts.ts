/**
 * The trust chain of the hub's own nats-server, in NATS's operator mode: an operator, a system
 * account and the hub's account. Every bus identity is a user JWT the account key signs, with
 * the identity's permissions inside; the server checks the signature at connect time.
 *
 * Why operator mode and not users listed in the server's config: a new identity (an actor added
 * while the hub runs, or new rights after its definition changed) then changes nothing on the
 * server, so the server never reloads its config. A reload makes nats-server 2.9 forget every
 * request it has delivered: the answers to them are refused as publish violations and lost
 * (a request in flight across a SIGHUP timed out; test/integration/bus-identities.test.ts).
 */
import { hkdfSync } from "node:crypto";
import { existsSync, readFileSync, renameSync } from "node:fs";
import path from "node:path";
import { encodeAccount, encodeOperator, encodeUser, fmtCreds, type KeyPair, type Permissions } from "@nats-io/jwt";
// nkeys.js keeps the seed encoder off its public entry; a seed derived from the cluster's
// secret needs it (pinned version in package.json).
import { Codec } from "@nats-io/nkeys/lib/codec.js";
import { Prefix } from "@nats-io/nkeys";
import { createNativeKeyPair, nativeKeyPair } from "../../bus/index.ts";
import type { BusPermissions } from "../../protocol/index.ts";
import { ConfigError } from "../../errors/index.ts";
import { writePrivateFile } from "../private-folder.ts";

/** The three key pairs behind a hub's bus. */
export interface BusAccountKeys {
  operator: KeyPair;
  system: KeyPair;
  account: KeyPair;
}

const ROLES = ["operator", "system", "account"] as const;
type Role = (typeof ROLES)[number];
const PREFIX: Record<Role, Prefix> = { operator: Prefix.Operator, system: Prefix.Account, account: Prefix.Account };

/** No limit from the account: Fuse bounds what it must itself (payload by the server's max_payload). */
const UNLIMITED = { conn: -1, subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, leaf: -1, mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 };

/**
 * The hub's keys, kept in `file` (0600) across runs: JetStream keeps each account's streams
 * apart, so the account must stay the same for the hub to find its buckets and events again.
 * The file is made the first time.
 */
export function loadOrCreateAccountKeys(file: string): BusAccountKeys {
  if (existsSync(file)) {
    try {
      const seeds = JSON.parse(readFileSync(file, "utf8")) as Record<Role, string>;
      return Object.fromEntries(ROLES.map((role) => [role, nativeKeyPair(seeds[role])])) as unknown as BusAccountKeys;
    } catch (error) {
      throw new ConfigError(
        `${file}: the hub's bus keys cannot be read (${(error as Error).message}); restore it from a copy, or remove it to make new keys, after which the hub no longer finds its JetStream data (events, ctx.kv, files)`,
        { cause: error, location: { file } },
      );
    }
  }
  const keys = Object.fromEntries(ROLES.map((role) => [role, createNativeKeyPair(PREFIX[role])])) as unknown as BusAccountKeys;
  const seeds = Object.fromEntries(ROLES.map((role) => [role, new TextDecoder().decode(keys[role].getSeed())]));
  writePrivateFile(file, `${JSON.stringify(seeds)}\n`);
  return keys;
}

/**
 * The keys every node of a cluster shares, derived from its 32-byte cluster key (HKDF): a
 * message routed between nodes stays in one account only when every node names the same
 * account, and each node signs its own identities without a private key travelling.
 */
export function deriveAccountKeys(clusterKey: Uint8Array): BusAccountKeys {
  const pair = (role: Role) => {
    const raw = new Uint8Array(hkdfSync("sha256", clusterKey, "fuse-bus", `bus-${role}`, 32));
    return nativeKeyPair(Codec.encodeSeed(PREFIX[role], raw));
  };
  return { operator: pair("operator"), system: pair("system"), account: pair("account") };
}

/**
 * The operator block of the server's config. `issuedAfter` (seconds): every user JWT issued
 * before it is revoked, so a credential of an earlier run (same account) opens nothing.
 */
export async function operatorConfig(keys: BusAccountKeys, issuedAfter: number): Promise<Record<string, unknown>> {
  const operator = keys.operator;
  const system = keys.system.getPublicKey();
  const account = keys.account.getPublicKey();
  return {
    operator: await encodeOperator("fuse", operator, { system_account: system }),
    system_account: system,
    resolver: "MEMORY",
    resolver_preload: {
      [system]: await encodeAccount("SYS", keys.system, {}, { signer: operator }),
      [account]: await encodeAccount("fuse", keys.account, { limits: UNLIMITED, revocations: { "*": issuedAfter } }, { signer: operator }),
    },
  };
}

/** nats-server's duration syntax as Fuse writes it (`24h`, `90s`, `500ms`) in nanoseconds. */
function durationNs(text: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text);
  if (!match) throw new Error(`unsupported duration ${JSON.stringify(text)}`);
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h"];
  return Number(match[1]) * unitMs * 1_000_000;
}

/** Permissions as the server's config spells them, as a user JWT carries them. */
export function jwtPermissions(permissions: BusPermissions | undefined): Partial<Permissions> {
  if (!permissions) return {};
  const { publish, subscribe, allow_responses: answers } = permissions;
  return {
    pub: { allow: publish.allow, ...(publish.deny ? { deny: publish.deny } : {}) },
    sub: { allow: subscribe.allow, ...(subscribe.deny ? { deny: subscribe.deny } : {}) },
    ...(answers ? { resp: { max: answers.max, ttl: durationNs(answers.expires) } } : {}),
  };
}

/** A `.creds` file's text (user JWT and seed) for a new or known user key, signed by the account, and the JWT's size. */
export async function userCreds(keys: BusAccountKeys, name: string, user: KeyPair, permissions: BusPermissions | undefined): Promise<{ creds: string; jwtBytes: number }> {
  const jwt = await encodeUser(name, user, keys.account, jwtPermissions(permissions));
  return { creds: new TextDecoder().decode(fmtCreds(jwt, user)), jwtBytes: Buffer.byteLength(jwt) };
}

/** A new bus user's key pair. */
export const createUser = (): KeyPair => createNativeKeyPair(Prefix.User);

/**
 * A store made before operator mode keeps its streams under the global account (`$G`); the
 * hub's account takes them over once (a rename; JetStream keeps an account's streams in a
 * folder named after it), so an upgraded hub finds its buckets and events.
 */
export function adoptGlobalAccountStore(storeDir: string, keys: BusAccountKeys): void {
  const global = path.join(storeDir, "jetstream", "$G");
  const own = path.join(storeDir, "jetstream", keys.account.getPublicKey());
  if (existsSync(global) && !existsSync(own)) renameSync(global, own);
}
