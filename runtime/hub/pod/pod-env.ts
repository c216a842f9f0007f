import path from "node:path";
import { natsTlsEnv } from "../../bus/index.ts";
import { eventLimitsOf, type ActorPlan, type FuseConfig } from "../../config/index.ts";
import { ConfigError } from "../../errors/index.ts";
import { BuiltinActor, ProcessEnv } from "../../protocol/index.ts";
import { busTlsFiles } from "../servers/bus-tls.ts";

/** What an actor process in a pod is told: the pod's environment first, the config second. */
export interface PodEnvOptions {
  config: FuseConfig;
  plan: ActorPlan;
  hubDir: string;
  /** The pod's environment (Kubernetes puts FUSE_NATS_URL, FUSE_NATS_CREDS… there). */
  env: NodeJS.ProcessEnv;
}

/**
 * The environment of the one actor process `fuse run` starts. With no hub around, where the
 * bus and the database are comes from the pod's environment (the manifests set it), falling
 * back to the config's `bus.url` / `db.url`; the rest (heartbeat, drain, events, receipts) comes
 * from the same config the hub would read, so an actor behaves alike under both.
 * @throws CONFIG_INVALID when no bus URL is given either way.
 */
export function podEnv(options: PodEnvOptions): Record<string, string> {
  const { config, plan, hubDir, env } = options;
  const natsUrl = env[ProcessEnv.natsUrl] ?? config.bus.url;
  if (!natsUrl) {
    throw new ConfigError(`fuse run ${plan.name}: no bus to connect to: set ${ProcessEnv.natsUrl} (or bus.url in config/fuse.yaml)`, { location: { key: "bus.url" } });
  }
  const inherited = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const result: Record<string, string> = {
    ...inherited,
    ...plan.env,
    [ProcessEnv.actor]: plan.name,
    [ProcessEnv.module]: plan.module,
    [ProcessEnv.natsUrl]: natsUrl,
    [ProcessEnv.prefix]: env[ProcessEnv.prefix] ?? config.prefix,
    [ProcessEnv.instance]: env[ProcessEnv.instance] ?? "0",
    [ProcessEnv.logLevel]: env[ProcessEnv.logLevel] ?? config.logging.level,
    [ProcessEnv.heartbeatMs]: String(config.health.heartbeatMs),
    [ProcessEnv.drainMs]: String(config.drainTimeoutMs),
    [ProcessEnv.hubDir]: env[ProcessEnv.hubDir] ?? hubDir,
    [ProcessEnv.events]: JSON.stringify(eventLimitsOf(config.events)),
    ...natsTlsEnv(env[ProcessEnv.natsTlsCa] ? undefined : busTlsFiles(config, hubDir)),
  };
  const dbUrl = env[ProcessEnv.dbUrl] ?? config.db.url;
  if (dbUrl) result[ProcessEnv.dbUrl] = dbUrl;
  const creds = env[ProcessEnv.natsCreds] ?? (config.bus.creds ? path.resolve(hubDir, config.bus.creds) : undefined);
  if (creds) result[ProcessEnv.natsCreds] = creds;
  if (config.bus.receipts) result[ProcessEnv.receipts] = "1";
  // The signing key is the gateway's alone, whatever the pod was given by mistake.
  if (plan.name !== BuiltinActor.gateway || !plan.builtin) delete result[ProcessEnv.principalSigningKey];
  delete result[ProcessEnv.describe];
  return result;
}
