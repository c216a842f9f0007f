import { chmodSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { nkeys } from "nats";
import { busPermissions, type BusIdentity, type BusPermissions, type BusUses } from "../../protocol/index.ts";
import { PRIVATE_FILE_MODE, makePrivateDir } from "../private-folder.ts";

/** The part of nkeys.js (re-exported untyped by nats) used here. */
interface UserKeyPair {
  getPublicKey(): string;
  getSeed(): Uint8Array;
}

interface Issued {
  identity: BusIdentity;
  publicKey: string;
  credsFile: string;
  /** Rights given outright instead of the role's (benchmarks' baselines). */
  permissions?: BusPermissions;
}

export interface BusIdentitiesOptions {
  /** The hub's nats folder (`.fuse/nats`): the seeds go to `creds/`, the server's config beside. */
  dir: string;
  /** JetStream's store, as the server is started with it. */
  storeDir: string;
  prefix: string;
  receipts?: boolean;
  /** More of the server's config, kept in every rewrite (a cluster node's server_name and routes). */
  extra?: Record<string, unknown>;
}

/** Whether two descriptions give the same rights (the order of names does not matter). */
function sameUses(a: BusUses | undefined, b: BusUses | undefined): boolean {
  const key = (u: BusUses | undefined) => (u ? JSON.stringify([[...u.kv].sort(), [...u.files].sort(), [...u.topics].sort()]) : "");
  return key(a) === key(b);
}

/** nats-server's config: only public keys and permissions, no secret. JSON is valid nats-server config syntax. */
interface ServerConfig {
  /**
   * Also here, not only as `-js -sd` flags: a reload (SIGHUP, when an identity is added) takes
   * JetStream as the file says, and one the file leaves out is switched off.
   */
  jetstream: { store_dir: string };
  authorization: { users: { nkey: string; permissions?: BusPermissions }[] };
}

/**
 * The NATS identities of one hub run: an NKey user per actor (shared by its instances), per
 * foreign process, for the hub and for the admin (the CLI). Made afresh at every start, so a
 * seed copied from an earlier run opens nothing. Each seed is in a 0600 file of its own that
 * its process is given by path; nats-server's config holds only the public keys, each with the
 * permissions its role allows (protocol/bus-permissions.ts).
 */
export class BusIdentities {
  private readonly issued = new Map<string, Issued>();
  private readonly credsDir: string;
  /** The nats-server config file, rewritten when an identity is added; a revived server reads it again. */
  readonly configFile: string;

  constructor(private readonly options: BusIdentitiesOptions) {
    this.credsDir = path.join(options.dir, "creds");
    this.configFile = path.join(options.dir, "auth.conf");
    // Seeds of an earlier run are dropped, never reused.
    rmSync(this.credsDir, { recursive: true, force: true });
    makePrivateDir(this.credsDir);
  }

  /**
   * The path of the identity's seed file, made (with the server's config rewritten) the first
   * time; `added` says so, and then a running server must reload its config.
   */
  ensure(identity: BusIdentity, permissions?: BusPermissions): { credsFile: string; added: boolean } {
    const known = this.issued.get(identity.name);
    if (known && known.identity.role === identity.role && !permissions) {
      if (identity.uses === undefined || sameUses(known.identity.uses, identity.uses)) return { credsFile: known.credsFile, added: false };
      // Its definition says what it uses now (read from its bundle): same seed, rights rewritten.
      known.identity = identity;
      this.writeConfig();
      return { credsFile: known.credsFile, added: true };
    }
    const pair = nkeys.createUser() as UserKeyPair;
    const credsFile = path.join(this.credsDir, `${identity.name}.nk`);
    writeFileSync(credsFile, `${Buffer.from(pair.getSeed()).toString()}\n`, { mode: PRIVATE_FILE_MODE });
    chmodSync(credsFile, PRIVATE_FILE_MODE);
    this.issued.set(identity.name, { identity, publicKey: pair.getPublicKey(), credsFile, ...(permissions ? { permissions } : {}) });
    this.writeConfig();
    return { credsFile, added: true };
  }

  /** The name of the identity whose public key the server names (in a refusal), if it is one of this run's. */
  nameOf(publicKey: string): string | undefined {
    for (const issued of this.issued.values()) if (issued.publicKey === publicKey) return issued.identity.name;
    return undefined;
  }

  private writeConfig(): void {
    const config: ServerConfig = {
      ...this.options.extra,
      jetstream: { store_dir: this.options.storeDir },
      authorization: {
        users: [...this.issued.values()].map(({ identity, publicKey, permissions: given }) => {
          const permissions = given ?? busPermissions(identity, { prefix: this.options.prefix, receipts: this.options.receipts });
          return permissions ? { nkey: publicKey, permissions } : { nkey: publicKey };
        }),
      },
    };
    const tmp = `${this.configFile}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
    chmodSync(tmp, PRIVATE_FILE_MODE);
    // Renamed into place, so a server reloading or reviving never reads half a file.
    renameSync(tmp, this.configFile);
  }
}
