import path from "node:path";
import { NatsTransport, connectNats, natsTlsFromEnv } from "../../bus/index.ts";
import { eventLimitsOf, loadConfig } from "../../config/index.ts";
import { ConfigError } from "../../errors/index.ts";
import { ADMIN_IDENTITY, ProcessEnv, bucketsOf, eventStreamName, inboxPrefix } from "../../protocol/index.ts";
import { Database, databaseTokenFromEnv, loadTableSchemas, migrate } from "../../table/index.ts";
import { describePlans } from "../process/index.ts";
import { createBucketMaker } from "../servers/identity-buckets.ts";
import { busTlsFiles } from "../servers/bus-tls.ts";
import { hubPlans } from "../supervision/builtins.ts";

export interface SetupOptions {
  /** The hub folder: config/, actors/, schemas/. */
  dir: string;
  /** Where the bus and the database are (FUSE_NATS_URL, FUSE_NATS_CREDS, FUSE_DB_URL…), over the config's bus.url and db.url. */
  env: NodeJS.ProcessEnv;
  /** Copies of the event stream and the buckets (the NATS cluster's size). Default: the server's default, 1. */
  replicas?: number;
}

export interface SetupReport {
  stream: string;
  buckets: string[];
  tables: string[];
}

/**
 * What `fuse up` makes before any actor starts, for a hub with no supervisor (Kubernetes, where
 * the set-up Job runs it): the event stream, every bucket each actor's definition declares (actors
 * may not make streams themselves), and the tables of schemas/. Safe to run again: what exists
 * is opened, and the migration applies only what is missing.
 * @throws CONFIG_INVALID when no bus is named, NO_LIVE_INSTANCE when the bus or database cannot be reached.
 */
export async function setupHub(options: SetupOptions): Promise<SetupReport> {
  const { dir, env } = options;
  const config = loadConfig(dir);
  const natsUrl = env[ProcessEnv.natsUrl] ?? config.bus.url;
  if (!natsUrl) throw new ConfigError(`fuse setup: no bus to set up: set ${ProcessEnv.natsUrl} (or bus.url in config/fuse.yaml)`, { location: { key: "bus.url" } });
  const prefix = env[ProcessEnv.prefix] ?? config.prefix;
  const plans = hubPlans(config, dir).filter((p) => (p.kind ?? "actor") === "actor");
  const uses = await describePlans(plans, dir, prefix);
  const creds = env[ProcessEnv.natsCreds] ?? (config.bus.creds ? path.resolve(dir, config.bus.creds) : undefined);
  const connection = await connectNats({
    url: natsUrl,
    name: "fuse-setup",
    inboxPrefix: inboxPrefix(ADMIN_IDENTITY),
    ...(creds ? { credsFile: creds } : {}),
    tls: natsTlsFromEnv(env) ?? busTlsFiles(config, dir),
  });
  const transport = new NatsTransport(connection, { events: eventLimitsOf(config.events), ...(options.replicas ? { replicas: options.replicas } : {}) });
  try {
    await transport.prepareEvents(prefix);
    const makeBuckets = createBucketMaker(transport, prefix);
    const buckets: string[] = [];
    for (const plan of plans) {
      const used = uses.get(plan.name);
      await makeBuckets(plan.name, used);
      const { kv, files } = bucketsOf(prefix, plan.name, used);
      buckets.push(...kv, ...files);
    }
    const tables = [...loadTableSchemas(dir).tables.values()];
    const dbUrl = env[ProcessEnv.dbUrl] ?? config.db.url;
    if (dbUrl && tables.length) {
      const db = new Database({ url: dbUrl, authToken: databaseTokenFromEnv(env) });
      try {
        await migrate(db.executor(), tables);
      } finally {
        db.close();
      }
    }
    return { stream: eventStreamName(prefix), buckets: [...new Set(buckets)].sort(), tables: tables.map((t) => t.table).sort() };
  } finally {
    await transport.close();
  }
}
