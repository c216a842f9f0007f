import path from "node:path";
import { BusIdentities, natsStoreDir, startNatsServer } from "../../runtime/hub/index.ts";
import { ProcessEnv, inboxPrefix, type BusPermissions, type BusRole } from "../../runtime/protocol/index.ts";
import { makeTempDir, removeTempDir, tracked } from "./processes.ts";

export interface NatsBench {
  natsUrl: string;
  /** A temporary folder, removed afterwards. */
  dir: string;
  /** Where bundles are compiled (inside `dir`). */
  buildDir: string;
  /**
   * With `auth`: the credential file of an identity on this server, made on first use, with
   * its role's rights as a hub gives them, or `permissions`.
   */
  creds(name: string, role: BusRole, permissions?: BusPermissions): Promise<string>;
}

export interface NatsBenchOptions {
  /** The server requires credentials and checks subject permissions, as a hub's does. */
  auth?: boolean;
}

/** Runs `body` with a fresh nats-server (started as the hub starts it) and a temp folder. */
export async function withNatsServer<T>(name: string, body: (bench: NatsBench) => Promise<T>, options: NatsBenchOptions = {}): Promise<T> {
  const dir = makeTempDir(name);
  try {
    const natsDir = path.join(dir, "nats");
    const identities = options.auth ? await BusIdentities.open({ dir: natsDir, storeDir: natsStoreDir(natsDir), prefix: "fuse" }) : undefined;
    const nats = tracked(await startNatsServer({ dir: natsDir, configFile: identities?.configFile }));
    const creds = (who: string, role: BusRole, permissions?: BusPermissions) => {
      if (!identities) throw new Error(`withNatsServer("${name}") runs without auth: no credential for ${who}`);
      return identities.ensure({ name: who, role }, permissions);
    };
    try {
      return await body({ natsUrl: nats.url, dir, buildDir: path.join(dir, "build"), creds });
    } finally {
      await nats.stop();
    }
  } finally {
    removeTempDir(dir);
  }
}

/** What the hub gives an actor process (here with the status pipe but no hub to read it). */
export function actorEnv(name: string, natsUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [ProcessEnv.actor]: name, [ProcessEnv.natsUrl]: natsUrl, [ProcessEnv.logLevel]: "info", ...extra };
}

/** The environment of a raw nats.js baseline connecting as `name` (raw-nats-connection.ts reads it). */
export function rawNatsAuthEnv(credsFile: string, name: string): Record<string, string> {
  return { NATS_CREDS: credsFile, NATS_INBOX_PREFIX: inboxPrefix(name) };
}
