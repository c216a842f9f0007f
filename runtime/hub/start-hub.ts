import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NatsTransport, callEndpoint, connectNats } from "../bus/index.ts";
import { loadConfig, resolveActors, type ActorPlan, type ScheduleConfig } from "../config/index.ts";
import { createLogger, type Logger } from "../log/index.ts";
import { HUB_ACTOR, Header, endpointSubject, type ActorStatus, type HubInfo } from "../protocol/index.ts";
import { startActor, type RunningActor } from "../sdk/index.ts";
import { createHubActor } from "./actor.ts";
import { applyConfig } from "./apply-config.ts";
import { Autoscaler } from "./autoscaler.ts";
import { builtinPlans } from "./builtins.ts";
import { installDependencies } from "./install-dependencies.ts";
import { watchConfig } from "./config-watcher.ts";
import { watchSources } from "./source-watcher.ts";
import { LogSinks } from "./log-sink.ts";
import { LocalLauncher, type ProcessLauncher } from "./process/index.ts";
import { startNatsServer, type NatsServerHandle } from "./services/nats-server.ts";
import { startSupervisedSqld, type SupervisedSqld } from "./services/supervised-sqld.ts";
import { removeState, writeState } from "./state-file.ts";
import { gatherStats } from "./stats.ts";
import { Scheduler } from "./scheduler.ts";
import { Supervisor } from "./supervisor.ts";

export interface StartHubOptions {
  /** The hub folder: config/, actors/, schemas/, tasks/ and .fuse/ live here. */
  dir: string;
  /** Gets every log line (JSON) of every process, e.g. to show in a terminal. */
  onLine?: (actor: string, line: string) => void;
  launcher?: ProcessLauncher;
  /** Restart an actor (rolling) when a file in its folder changes. */
  watch?: boolean;
}

export interface Hub {
  readonly info: HubInfo;
  /** Ms from the call to startHub until every actor was ready. */
  readonly readyMs: number;
  /** Every actor's status; with `withStats` also request figures (a 250 ms gather on the bus). */
  statuses(withStats?: boolean): Promise<ActorStatus[]>;
  /** Stops every actor (draining), then the servers; idempotent. */
  stop(): Promise<void>;
  /** Resolves once the hub has stopped, whoever asked (for example `hub.shutdown` on the bus). */
  readonly stopped: Promise<void>;
}

const CONFIG_FILE = path.join("config", "fuse.yaml");

const VERSION = (JSON.parse(readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../package.json"), "utf8")) as { version: string }).version;

/**
 * Starts a whole hub from its folder: nats-server (unless `bus.url`), the `hub` control actor,
 * the built-in actors and every user actor, each instance its own process.
 * @throws CONFIG_INVALID for a bad config; NO_LIVE_INSTANCE when nats-server cannot start.
 */
export async function startHub(options: StartHubOptions): Promise<Hub> {
  const began = performance.now();
  const dir = path.resolve(options.dir);
  const config = loadConfig(dir, CONFIG_FILE);
  const plans: ActorPlan[] = [...builtinPlans(config), ...resolveActors(config, dir)];
  const fuseDir = path.join(dir, ".fuse");
  const sinks = new LogSinks({ dir: path.join(fuseDir, "logs"), ...config.logging, onLine: options.onLine });
  const log = createLogger({ actor: HUB_ACTOR, level: config.logging.level, destination: sinks.streamFor(HUB_ACTOR) });
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch((err) => log.error({ err }, "cleanup step failed"));
    cleanups.length = 0;
  };
  try {
    let nats: NatsServerHandle | undefined;
    if (!config.bus.url) {
      nats = await startNatsServer({ dir: path.join(fuseDir, "nats"), port: config.bus.port });
      cleanups.push(() => nats!.stop());
    }
    const natsUrl = config.bus.url ?? nats!.url;
    const transport = new NatsTransport(await connectNats({ url: natsUrl, name: HUB_ACTOR }));
    cleanups.push(() => transport.close());
    const info: HubInfo = { pid: process.pid, dir, prefix: config.prefix, natsUrl, startedAt: Date.now(), version: VERSION };
    let sqld: SupervisedSqld | undefined;
    if (config.db.url) info.dbUrl = config.db.url;
    else {
      sqld = await startSupervisedSqld({ dir: path.join(fuseDir, "db"), port: config.db.port, log: log.child({ mod: "hub.sqld" }), restart: config.restart });
      cleanups.push(() => sqld!.stop());
      info.dbUrl = sqld.url;
    }

    const supervisor = new Supervisor({
      hubDir: dir,
      prefix: config.prefix,
      natsUrl,
      // Actors talk to our own sqld over a WebSocket (one connection, about 3× the point
      // reads of HTTP requests); others get the HTTP URL.
      dbUrl: sqld ? info.dbUrl!.replace(/^http:/, "ws:") : info.dbUrl,
      logLevel: config.logging.level,
      heartbeatMs: config.health.heartbeatMs,
      settings: { restart: config.restart, health: config.health, readyTimeoutMs: config.health.readyTimeoutMs, drainTimeoutMs: config.drainTimeoutMs },
      launcher: options.launcher ?? new LocalLauncher(),
      sinks,
      log: log.child({ mod: "hub.supervisor" }),
    });
    cleanups.push(() => supervisor.stopAll());

    let resolveStopped!: () => void;
    const stopped = new Promise<void>((r) => (resolveStopped = r));
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        log.info("hub stopping");
        await cleanup();
        removeState(dir);
        await sinks.close();
        resolveStopped();
      })());

    const scheduler = new Scheduler({
      log: log.child({ mod: "hub.scheduler" }),
      run: (name, schedule) => runScheduled(transport, config.prefix, name, schedule),
    });
    cleanups.push(async () => scheduler.stop());

    const hubActor: RunningActor = await startActor(
      createHubActor({
        supervisor,
        schedules: () => scheduler.list(),
        info: () => info,
        stats: () => gatherStats(transport),
        recentLogs: (name, lines) => sinks.lines(name, lines),
        shutdown: () => void stop(),
      }),
      { transport, prefix: config.prefix, log: log.child({ mod: "hub.actor" }) },
    );
    cleanups.push(() => hubActor.stop());

    await Promise.all(
      plans
        .filter((p) => !p.builtin && (p.kind ?? "actor") === "actor")
        .map((p) => installDependencies(p.name, path.dirname(p.module), log.child({ mod: "hub.install" })).catch((err) => log.error({ err, actor: p.name }, "dependencies not installed"))),
    );
    // The database comes first (others migrate and query as they start); the rest in parallel.
    const [first, rest] = [plans.filter((p) => p.name === "db" && p.builtin), plans.filter((p) => !(p.name === "db" && p.builtin))];
    for (const plan of first) await supervisor.add(plan).start();
    await Promise.all(rest.map((plan) => supervisor.add(plan).start()));

    if (supervisor.names().includes("gateway")) info.gatewayUrl = await gatewayUrl(transport, config.prefix, log);
    let applied = { config, plans };
    let applying = Promise.resolve();
    const stopWatching = watchConfig({
      hubDir: dir,
      file: CONFIG_FILE,
      // One edit at a time, in order: a quick second save waits for the first to be applied.
      onChange: (text) =>
        (applying = applying.then(async () => {
          applied = await applyConfig(text, { hubDir: dir, file: CONFIG_FILE, supervisor, log: log.child({ mod: "hub.config" }), current: applied });
          scheduler.apply(applied.config.schedules);
        })),
    });
    cleanups.push(async () => {
      stopWatching();
      await applying;
    });

    if (options.watch) {
      const folders = new Map(
        plans.filter((p) => !p.builtin && (p.kind ?? "actor") === "actor").map((p) => [p.name, path.dirname(p.module)]),
      );
      const stopSources = watchSources({
        folders,
        onChange: (actor, file) => {
          if (!supervisor.has(actor)) return;
          log.info({ actor, file: path.relative(dir, file) }, "source changed, restarting actor");
          supervisor
            .group(actor)
            .restart()
            .catch((err) => log.warn({ err, actor }, "restart after source change failed"));
        },
      });
      cleanups.push(async () => stopSources());
    }

    scheduler.apply(config.schedules);
    const autoscaler = new Autoscaler(supervisor, transport, log.child({ mod: "hub.autoscale" }));
    cleanups.push(async () => autoscaler.stop());
    writeState(dir, { ...info, servicePids: [...(nats ? [nats.pid] : []), ...(sqld ? [sqld.pid()] : [])] });
    const readyMs = Math.round(performance.now() - began);
    log.info({ readyMs, actors: supervisor.names(), natsUrl }, "hub ready");
    return {
      info,
      readyMs,
      statuses: async (withStats = true) => supervisor.statuses(withStats ? await gatherStats(transport) : undefined),
      stop,
      stopped,
    };
  } catch (error) {
    await cleanup();
    await sinks.close();
    throw error;
  }
}

const SCHEDULED_TIMEOUT_MS = 10 * 60_000;

/** One scheduled run: a call of its endpoint, or a task run waited for, with a fresh trace. */
async function runScheduled(transport: NatsTransport, prefix: string, name: string, schedule: ScheduleConfig): Promise<void> {
  const [actor, endpoint] = schedule.call ? schedule.call.split(".") : ["taskmaster", "run"];
  const input = schedule.call ? schedule.input : { task: schedule.task, input: schedule.input, wait: true };
  await callEndpoint(transport, { subject: endpointSubject(prefix, actor!, endpoint!), actor: actor!, endpoint: endpoint! }, input, {
    headers: {
      [Header.traceId]: randomUUID().replaceAll("-", ""),
      [Header.deadline]: String(Date.now() + SCHEDULED_TIMEOUT_MS),
      [Header.caller]: `${HUB_ACTOR}/schedule/${name}`,
    },
    timeoutMs: SCHEDULED_TIMEOUT_MS,
  });
}

async function gatewayUrl(transport: NatsTransport, prefix: string, log: Logger): Promise<string | undefined> {
  try {
    const reply = (await callEndpoint(
      transport,
      { subject: endpointSubject(prefix, "gateway", "info"), actor: "gateway", endpoint: "info" },
      {},
      { headers: {}, timeoutMs: 5000 },
    )) as { url?: string };
    return reply.url;
  } catch (err) {
    log.warn({ err }, "gateway url unknown");
    return undefined;
  }
}
