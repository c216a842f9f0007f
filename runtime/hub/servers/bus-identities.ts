import { rmSync } from "node:fs";
import path from "node:path";
import type { KeyPair } from "@nats-io/jwt";
import { ConfigError } from "../../errors/index.ts";
import { busPermissions, type BusIdentity, type BusPermissions, type BusUses } from "../../protocol/index.ts";
import { makePrivateDir, writePrivateFile } from "../private-folder.ts";
import { adoptGlobalAccountStore, createUser, deriveAccountKeys, loadOrCreateAccountKeys, operatorConfig, userCreds, type BusAccountKeys } from "./bus-accounts.ts";

interface Issued {
  identity: BusIdentity;
  user: KeyPair;
  credsFile: string;
  /** Rights given outright instead of the role's (benchmarks' baselines). */
  permissions?: BusPermissions;
}

export interface BusIdentitiesOptions {
  /** The hub's nats folder (`.fuse/nats`): the credentials go to `creds/`, the server's config and keys beside. */
  dir: string;
  /** JetStream's store, as the server is started with it. */
  storeDir: string;
  prefix: string;
  receipts?: boolean;
  /** More of the server's config (a cluster node's server_name and routes). */
  extra?: Record<string, unknown>;
  /** A cluster's shared key: the operator and accounts derive from it, the same on every node. */
  clusterKey?: Uint8Array;
}

/**
 * The longest protocol line the server reads. A client's CONNECT line carries its JWT, which
 * holds its permissions: an actor with a few declared buckets passes nats-server's default of
 * 4 KiB, and the server then drops the connection with no answer the client could report.
 */
const MAX_CONTROL_LINE = 64 * 1024;
/** Room in that line for the rest of CONNECT (options, the nonce's signature, the name). */
const CONNECT_OVERHEAD = 2048;

/** Whether two descriptions give the same rights (the order of names does not matter). */
function sameUses(a: BusUses | undefined, b: BusUses | undefined): boolean {
  const key = (u: BusUses | undefined) => (u ? JSON.stringify([[...u.kv].sort(), [...u.files].sort(), [...u.topics].sort()]) : "");
  return key(a) === key(b);
}

/**
 * The NATS identities of one hub run: a user per actor (shared by its instances), per foreign
 * process, for the hub and for the admin (the CLI), each a JWT with the permissions its role
 * allows (protocol/bus-permissions.ts), signed by the hub's account key (bus-accounts.ts), in a
 * 0600 `.creds` file its process is given by path. User keys are made afresh at every start and
 * the account revokes every JWT issued before it, so a credential copied from an earlier run
 * opens nothing. The server's config holds only public keys and JWTs, no secret, and never
 * changes while the server runs: a new identity needs no reload.
 */
export class BusIdentities {
  private readonly issued = new Map<string, Issued>();
  private readonly credsDir: string;
  /** The nats-server config file, written once; a revived server reads it again. */
  readonly configFile: string;

  private constructor(
    private readonly options: BusIdentitiesOptions,
    private readonly keys: BusAccountKeys,
  ) {
    this.credsDir = path.join(options.dir, "creds");
    this.configFile = path.join(options.dir, "auth.conf");
  }

  /** The hub's keys (kept in `<dir>/keys.json`, or derived from the cluster key) and the server's config. */
  static async open(options: BusIdentitiesOptions): Promise<BusIdentities> {
    makePrivateDir(options.dir);
    const keys = options.clusterKey ? deriveAccountKeys(options.clusterKey) : loadOrCreateAccountKeys(path.join(options.dir, "keys.json"));
    const identities = new BusIdentities(options, keys);
    // Credentials of an earlier run are dropped, never reused.
    rmSync(identities.credsDir, { recursive: true, force: true });
    makePrivateDir(identities.credsDir);
    adoptGlobalAccountStore(options.storeDir, keys);
    // One second back: JWT times are whole seconds, and one issued in this second must stay valid.
    await identities.writeConfig(Math.floor(Date.now() / 1000) - 1);
    return identities;
  }

  /**
   * The path of the identity's credential file, made the first time; its rights are issued
   * again when its definition says it uses other buckets or topics now (same key, new JWT).
   */
  async ensure(identity: BusIdentity, permissions?: BusPermissions): Promise<string> {
    const known = this.issued.get(identity.name);
    if (known && known.identity.role === identity.role && !permissions) {
      if (identity.uses === undefined || sameUses(known.identity.uses, identity.uses)) return known.credsFile;
      known.identity = identity;
      await this.writeCreds(known);
      return known.credsFile;
    }
    const issued: Issued = { identity, user: createUser(), credsFile: path.join(this.credsDir, `${identity.name}.creds`), ...(permissions ? { permissions } : {}) };
    this.issued.set(identity.name, issued);
    await this.writeCreds(issued);
    return issued.credsFile;
  }

  /** The credential file of an identity issued already. */
  credsFileOf(name: string): string | undefined {
    return this.issued.get(name)?.credsFile;
  }

  /** The name of the identity whose public key the server names (in a refusal), if it is one of this run's. */
  nameOf(publicKey: string): string | undefined {
    for (const issued of this.issued.values()) if (issued.user.getPublicKey() === publicKey) return issued.identity.name;
    return undefined;
  }

  private async writeCreds(issued: Issued): Promise<void> {
    const permissions = issued.permissions ?? busPermissions(issued.identity, { prefix: this.options.prefix, receipts: this.options.receipts });
    const { creds, jwtBytes } = await userCreds(this.keys, issued.identity.name, issued.user, permissions);
    if (jwtBytes > MAX_CONTROL_LINE - CONNECT_OVERHEAD) {
      throw new ConfigError(`${issued.identity.name}: its bus rights (${jwtBytes} bytes as a NATS JWT) exceed what a client may send when it connects (${MAX_CONTROL_LINE - CONNECT_OVERHEAD}); declare fewer buckets or event topics`);
    }
    writePrivateFile(issued.credsFile, creds);
  }

  private async writeConfig(issuedAfter: number): Promise<void> {
    const config = {
      ...this.options.extra,
      // Here, not only as `-js -sd` flags: a config file names JetStream's store itself.
      jetstream: { store_dir: this.options.storeDir },
      max_control_line: MAX_CONTROL_LINE,
      ...(await operatorConfig(this.keys, issuedAfter)),
    };
    // JSON is valid nats-server config syntax.
    writePrivateFile(this.configFile, `${JSON.stringify(config, null, 2)}\n`);
  }
}
