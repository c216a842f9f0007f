/**
 * The main program of an actor process, started by the hub as
 * `node --import tsx runtime/sdk/actor-process.ts` with the ProcessEnv variables set.
 * It loads the actor module, serves it on NATS, reports ready and heartbeats on fd 3, and
 * drains on SIGTERM.
 */
import { fstatSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { NatsTransport, connectNats } from "../bus/index.ts";
import { ConfigError, toFuseError } from "../errors/index.ts";
import { createLogger, type LogLevel } from "../log/index.ts";
import { DEFAULT_PREFIX, ProcessEnv, STATUS_FD } from "../protocol/index.ts";
import { isActorDefinition, type AnyActor } from "./define-actor.ts";
import { startActor, type RunningActor } from "./start-actor.ts";
import { startWatchdog, type Watchdog } from "./watchdog.ts";

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
const watchdog: Watchdog | undefined = hasStatusFd()
  ? startWatchdog({
      fd: STATUS_FD,
      intervalMs: Number(env[ProcessEnv.heartbeatMs] ?? 500),
      inflight: () => running?.inflight() ?? 0,
    })
  : undefined;

async function loadDefinition(modulePath: string): Promise<AnyActor> {
  const mod = (await import(pathToFileURL(path.resolve(modulePath)).href)) as Record<string, unknown>;
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

async function main(): Promise<void> {
  const modulePath = env[ProcessEnv.module];
  const url = env[ProcessEnv.natsUrl];
  if (!modulePath || !url) throw new ConfigError(`${ProcessEnv.module} and ${ProcessEnv.natsUrl} must be set`);
  const definition = await loadDefinition(modulePath);
  const transport = new NatsTransport(await connectNats({ url, name: `${actorName}#${instance}` }));
  running = await startActor(definition, {
    transport,
    prefix: env[ProcessEnv.prefix] ?? DEFAULT_PREFIX,
    instance,
    log,
    drainTimeoutMs: Number(env[ProcessEnv.drainMs] ?? 10_000),
  });
  const actor = running;
  watchdog?.report({ type: "ready", pid: process.pid, serviceId: actor.serviceId });
  log.info({ pid: process.pid }, "actor started");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, inflight: actor.inflight() }, "actor stopping");
    await actor.stop();
    await transport.close();
    log.info("actor stopped");
    watchdog?.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

process.on("uncaughtException", (err) => {
  log.fatal({ err, code: toFuseError(err).code }, "uncaught exception");
  process.exit(1);
});

main().catch((err: unknown) => {
  const error = toFuseError(err);
  log.fatal({ err, code: error.code }, "actor failed to start");
  watchdog?.report({ type: "fatal", code: error.code, message: error.message });
  process.exit(1);
});
