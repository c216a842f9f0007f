import path from "node:path";
import { BusIdentities, natsStoreDir, startNatsServer } from "../../runtime/hub/index.ts";
import { ADMIN_IDENTITY, ProcessEnv, inboxPrefix, type BusPermissions, type BusRole } from "../../runtime/protocol/index.ts";
import { makeTempDir, removeTempDir, tracked } from "./processes.ts";

export interface NatsBench {
  natsUrl: string;
  /** A temporary folder, removed afterwards. */
  dir: string;
  /** Where bundles are compiled (inside `dir`). */
  buildDir: string;
  /**
   * With `auth`: the credential file of an identity on this server, made on first use (the
   * server reloads its config), with its role's rights as a hub gives them, or `permissions`.
   */
  creds(name: string, role: BusRole, permissions?: BusPermissions): string;
}

export interface NatsBenchOptions {
  /** The server requires NKey credentials and checks subject permissions, as a hub's does. */
  auth?: boolean;
}

/** Runs `body` with a fresh nats-server (started as the hub starts it) and a temp folder. */
export async function withNatsServer<T>(name: string, body: (bench: NatsBench) => Promise<T>, options: NatsBenchOptions = {}): Promise<T> {
  const dir = makeTempDir(name);
  try {
    const natsDir = path.join(dir, "nats");
    const identities = options.auth ? new BusIdentities({ dir: natsDir, storeDir: natsStoreDir(natsDir), prefix: "fuse" }) : undefined;
    // As the hub does: the server starts with users (its admin), so it never runs open.
    identities?.ensure({ name: ADMIN_IDENTITY, role: "owner" });
    const nats = tracked(await startNatsServer({ dir: natsDir, configFile: identities?.configFile }));
    const creds = (who: string, role: BusRole, permissions?: BusPermissions) => {
      if (!identities) throw new Error(`withNatsServer("${name}") runs without auth: no credential for ${who}`);
      const made = identities.ensure({ name: who, role }, permissions);
      if (made.added) process.kill(nats.pid, "SIGHUP");
      return made.credsFile;
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
