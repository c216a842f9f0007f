/**
 * The main loop of an actor process: serves the actor on NATS, reports ready and heartbeats
 * on fd 3, and drains on SIGTERM. The hub runs it either from a bundle that imports the actor
 * module directly, or through actor-process.ts, which imports it by path.
 */
import { fstatSync } from "node:fs";
import { NatsTransport, connectNats, natsTlsFromEnv, parseEventSettings } from "../../bus/index.ts";
import { ConfigError, toFuseError } from "../../errors/index.ts";
import { createLogger, type LogLevel } from "../../log/index.ts";
import { DEFAULT_PREFIX, DESCRIBE_MARK, ProcessEnv, STATUS_FD, inboxPrefix } from "../../protocol/index.ts";
import { usesOf } from "../stores/bucket-access.ts";
import { isActorDefinition, type AnyActor } from "../define-actor.ts";
import { startActor, type RunningActor } from "../start-actor.ts";
import type { CircuitOptions } from "../resilience/circuit-breaker.ts";
import { startWatchdog, type Watchdog } from "./watchdog.ts";
import { mapStacksLazily } from "./source-maps.mjs";
import { createPrincipalVerifier, readKeyFile } from "../../security/index.ts";
import { stopOffloadPool } from "../offload/offload.ts";
import { tracingFromEnv } from "../../tracing/index.ts";
import { databaseTokenFromEnv } from "../../table/index.ts";

export type ModuleLoader = () => Promise<Record<string, unknown>>;

const env = process.env;
const actorName = env[ProcessEnv.actor] ?? "actor";
const instance = Number(env[ProcessEnv.instance] ?? 0);
const log = createLogger({ actor: actorName, instance, level: (env[ProcessEnv.logLevel] ?? "info") as LogLevel });

function hasStatusFd(): boolean {
  try {
    fstatSync(STATUS_FD);
    return true;
  } catch {
    return false;
  }
}

let running: RunningActor | undefined;
let watchdog: Watchdog | undefined;

async function loadDefinition(load: ModuleLoader, modulePath: string): Promise<AnyActor> {
  const mod = await load();
  const definition = isActorDefinition(mod.default) ? mod.default : Object.values(mod).find(isActorDefinition);
  if (!definition) {
    throw new ConfigError(`${modulePath}: the module does not export an actor (use \`export default defineActor({...})\`)`, {
      location: { file: modulePath },
    });
  }
  if (definition.name !== actorName) {
    throw new ConfigError(
      `${modulePath}: the module defines actor "${definition.name}" but the hub runs it as "${actorName}"`,
      { location: { file: modulePath, key: "name" } },
    );
  }
  return definition;
}

/** `db.replica`: this process's embedded replica, in the folder the hub names. */
function replicaOf(dir: string | undefined, actor: string): { dir: string; name: string } | undefined {
  return dir ? { dir, name: actor } : undefined;
}

/** The verifier of `Fuse-Principal` from the hub's public key; none when the hub gave no key. */
function principalVerifier() {
  const file = env[ProcessEnv.principalKey];
  return file ? createPrincipalVerifier(readKeyFile(file, ProcessEnv.principalKey)) : undefined;
}

async function main(load: ModuleLoader, modulePath: string): Promise<void> {
  const url = env[ProcessEnv.natsUrl];
  if (!url) throw new ConfigError(`${ProcessEnv.natsUrl} must be set`);
  const definition = await loadDefinition(load, modulePath);
  const connection = await connectNats({
    url,
    name: `${actorName}#${instance}`,
    log,
    // The actor's identity: a path to its seed, which the hub made for this run.
    credsFile: env[ProcessEnv.natsCreds],
    tls: natsTlsFromEnv(env),
    inboxPrefix: inboxPrefix(actorName),
    // An actor added to a running hub may connect before the server has reloaded its identity.
    retryRefusedCredential: true,
  });
  // Loaded only when the hub turned tracing on (telemetry.otlp.url): otherwise no OpenTelemetry package loads.
  const tracing = await tracingFromEnv(env, definition.name, instance);
  const transport = new NatsTransport(connection, {
    receipts: env[ProcessEnv.receipts] === "1",
    events: parseEventSettings(env[ProcessEnv.events]),
  });
  running = await startActor(definition, {
    transport,
    prefix: env[ProcessEnv.prefix] ?? DEFAULT_PREFIX,
    instance,
    ...(env[ProcessEnv.node] ? { node: env[ProcessEnv.node] } : {}),
    log,
    drainTimeoutMs: Number(env[ProcessEnv.drainMs] ?? 10_000),
    db: { url: env[ProcessEnv.dbUrl], authToken: databaseTokenFromEnv(env), hubDir: env[ProcessEnv.hubDir], replica: replicaOf(env[ProcessEnv.dbReplica], definition.name) },
    principals: principalVerifier(),
    circuit: circuitFromEnv(env[ProcessEnv.circuit]),
    metrics: env[ProcessEnv.metrics] === "0" ? false : "process",
    ...(tracing ? { tracing } : {}),
  });
  const actor = running;
  // Ready means reachable: the server has the subscriptions before the hub routes to this
  // instance (a rolling restart stops the old one on this word).
  await transport.flush();
  watchdog?.report({ type: "ready", pid: process.pid, serviceId: actor.serviceId, ...(actor.address ? { address: actor.address } : {}) });
  log.info({ pid: process.pid }, "actor started");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, inflight: actor.inflight() }, "actor stopping");
    await actor.stop();
    // The spans of the last requests are sent before the process ends; a collector that is away does not hold it up long.
    await Promise.race([tracing?.shutdown(), new Promise((r) => setTimeout(r, 2_000).unref())]);
    await stopOffloadPool();
    await transport.close();
    log.info("actor stopped");
    watchdog?.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

/** Prints what the actor uses of JetStream for the hub (ProcessEnv.describe) and exits; it never connects. */
async function describe(load: ModuleLoader, modulePath: string): Promise<void> {
  const definition = await loadDefinition(load, modulePath);
  process.stdout.write(`${DESCRIBE_MARK}${JSON.stringify(usesOf(definition, env[ProcessEnv.prefix] ?? DEFAULT_PREFIX))}\n`, () => process.exit(0));
}

/** Runs this process as the actor that `load` imports (`modulePath` names it in messages). */
export function runActorProcess(load: ModuleLoader, modulePath: string): void {
  // Before the module loads: an error while it loads is reported with its source's file and line.
  mapStacksLazily();
  if (env[ProcessEnv.describe] === "1") {
    describe(load, modulePath).catch((err: unknown) => {
      log.fatal({ err, code: toFuseError(err).code }, "actor failed to load");
      process.exit(1);
    });
    return;
  }
  // Started before the module loads, so a module that hangs while loading is noticed too.
  watchdog = hasStatusFd()
    ? startWatchdog({
        fd: STATUS_FD,
        intervalMs: Number(env[ProcessEnv.heartbeatMs] ?? 500),
        inflight: () => running?.inflight() ?? 0,
      })
    : undefined;
  process.on("uncaughtException", (err) => {
    log.fatal({ err, code: toFuseError(err).code }, "uncaught exception");
    process.exit(1);
  });
  main(load, modulePath).catch((err: unknown) => {
    const error = toFuseError(err);
    log.fatal({ err, code: error.code }, "actor failed to start");
    watchdog?.report({ type: "fatal", code: error.code, message: error.message });
    process.exit(1);
  });
}

/** The actor's `circuit` config, which the hub validated before it put it in the environment. */
function circuitFromEnv(text: string | undefined): CircuitOptions | undefined {
  return text ? (JSON.parse(text) as CircuitOptions) : undefined;
}
