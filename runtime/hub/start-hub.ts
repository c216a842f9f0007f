import path from "node:path";
import { NatsTransport, connectNats } from "../bus/index.ts";
import { eventLimitsOf, loadConfig, type ActorPlan, type FuseConfig } from "../config/index.ts";
import { createLogger, LogShipper, type Logger } from "../log/index.ts";
import {
  ADMIN_IDENTITY,
  BuiltinActor,
  FUSE_VERSION,
  HUB_IDENTITY,
  INSTANCE_LOST_SUBJECT,
  busRoleOf,
  endpointSubject,
  hubNodeSubject,
  inboxPrefix,
  type ActorStatus,
  type HubInfo,
} from "../protocol/index.ts";
import { startActor } from "../sdk/internal.ts";
import { Database, loadTableSchemas, migrate } from "../table/index.ts";
import { FuseError, UnavailableError, toFuseError } from "../errors/index.ts";
import { createHubActor } from "./control/hub-actor.ts";
import { NodeControl } from "./control/node-control.ts";
import { KeyedKeys } from "./control/keyed-keys.ts";
import { Autoscaler } from "./scaling/autoscaler.ts";
import { hubPlans } from "./supervision/builtins.ts";
import { CleanupStack } from "./cleanup-stack.ts";
import { followGatewayAddress } from "./control/gateway-address.ts";
import { runScheduled } from "./control/hub-calls.ts";
import { installDependencies } from "./live-changes/install-dependencies.ts";
import { followLiveChanges } from "./live-changes/live-changes.ts";
import { LogSinks } from "./supervision/log-sink.ts";
import { LocalLauncher, describePlans, type ProcessLauncher } from "./process/index.ts";
import { Scheduler } from "./scaling/scheduler.ts";
import { startServers } from "./servers/start-servers.ts";
import { busTlsFiles } from "./servers/bus-tls.ts";
import { createBucketMaker } from "./servers/identity-buckets.ts";
import { identities, removeState, writeState } from "./state-file.ts";
import { preparePrivateFolder } from "./private-folder.ts";
import { createDatabaseAuth, createHubKeys, createPrincipalVerifier, readKeyFile } from "../security/index.ts";
import { gatherStats } from "./supervision/stats.ts";
import { startHubMetrics } from "./supervision/hub-metrics.ts";
import { Supervisor, type SupervisorOptions } from "./supervision/supervisor.ts";
import { ClusterNode } from "./cluster/cluster-node.ts";
import { whileJetStreamSettles } from "./cluster/jetstream-settling.ts";
import { busKey, clusterSettingsOf, databaseSeed, natsClusterConfig, principalSeed, routeCaSeed, splitHostPort, type ClusterFlags } from "./cluster/cluster-settings.ts";
import { makeRouteTls } from "./cluster/route-tls.ts";
import { clusterDatabaseOf } from "./cluster/cluster-database.ts";

export interface StartHubOptions {
  /** The hub folder: config/, actors/, schemas/, tasks/ and .fuse/ live here. */
  dir: string;
  /** Gets every log line (JSON) of every process, e.g. to show in a terminal. */
  onLine?: (actor: string, line: string) => void;
  launcher?: ProcessLauncher;
  /** Restart an actor (rolling) when a file in its folder changes. */
  watch?: boolean;
  /** `fuse up --node --join`: this host's node name and seeds, with `cluster:` in the config. */
  cluster?: ClusterFlags;
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

/**
 * Brings the database to `schemas/` before any actor starts, so start hooks find their
 * tables without waiting for the `db` actor's process (which checks again and reports
 * refused changes as its failure).
 */
async function migrateFirst(dir: string, dbUrl: string | undefined, authToken: string | undefined, log: Logger): Promise<void> {
  if (!dbUrl) return;
  const db = new Database({ url: dbUrl, authToken });
  try {
    await migrate(db.executor(), [...loadTableSchemas(dir).tables.values()]);
  } catch (err) {
    log.error({ err, code: toFuseError(err).code }, "database not migrated");
  } finally {
    db.close();
  }
}

/** Installs actor folders' missing dependencies, then starts every actor in parallel. */
async function startActors(plans: ActorPlan[], supervisor: Supervisor, log: Logger): Promise<void> {
  const installLog = log.child({ mod: "hub.install" });
  await Promise.all(
    plans
      .filter((p) => !p.builtin && (p.kind ?? "actor") === "actor")
      .map((p) => installDependencies(p.name, path.dirname(p.module), installLog).catch((err) => log.error({ err, actor: p.name }, "dependencies not installed"))),
  );
  await Promise.all(plans.map((plan) => supervisor.launch(plan)));
}

interface SupervisorDeps {
  launcher: ProcessLauncher;
  credsFor: SupervisorOptions["credsFor"];
  sinks: LogSinks;
  log: Logger;
  onReady: SupervisorOptions["onReady"];
  onLost: (serviceId: string, actor: string) => void;
  placement?: SupervisorOptions["placement"];
  node?: string;
}

function createSupervisor(dir: string, config: FuseConfig, natsUrl: string, db: { url: string | undefined; tokenFile: string | undefined }, deps: SupervisorDeps): Supervisor {
  return new Supervisor({
    hubDir: dir,
    prefix: config.prefix,
    ...(deps.node ? { node: deps.node } : {}),
    natsUrl,
    dbUrl: db.url,
    dbTokenFile: db.tokenFile,
    dbReplicaDir: config.db.replica ? path.resolve(dir, config.db.replicaDir ?? ".fuse/replicas") : undefined,
    logLevel: config.logging.level,
    heartbeatMs: config.health.heartbeatMs,
    settings: { restart: config.restart, health: config.health, readyTimeoutMs: config.health.readyTimeoutMs, drainTimeoutMs: config.drainTimeoutMs },
    launcher: deps.launcher,
    sinks: deps.sinks,
    log: deps.log.child({ mod: "hub.supervisor" }),
    onReady: deps.onReady,
    onLost: deps.onLost,
    receipts: config.bus.receipts,
    metrics: config.metrics.enabled,
    telemetry: config.telemetry,
    natsTls: busTlsFiles(config, dir),
    events: eventLimitsOf(config.events),
    credsFor: deps.credsFor,
    ...(deps.placement ? { placement: deps.placement } : {}),
  });
}

/**
 * Starts a whole hub from its folder: nats-server and sqld (unless `bus.url` / `db.url`), the
 * `hub` control actor, the built-in actors and every user actor, each instance its own
 * process; then follows config edits, schedules and autoscaling.
 * @throws CONFIG_INVALID for a bad config; NO_LIVE_INSTANCE when a server cannot start.
 */
export async function startHub(options: StartHubOptions): Promise<Hub> {
  const began = performance.now();
  const dir = path.resolve(options.dir);
  const config = loadConfig(dir, CONFIG_FILE);
  const clusterSettings = clusterSettingsOf(config, options.cluster);
  const plans: ActorPlan[] = hubPlans(config, dir);
  const fuseDir = path.join(dir, ".fuse");
  preparePrivateFolder(fuseDir);
  // A fresh key pair each run: the gateway signs principals with it, every process verifies them.
  // On a cluster every node derives the same pair from the cluster's secret instead.
  const principalKeys = createHubKeys(fuseDir, clusterSettings && principalSeed(clusterSettings));
  // A cluster's one database (db.node): its node runs it on its address, every node uses it with a token.
  const clusterDb = clusterDatabaseOf(config, clusterSettings);
  const sharedDb = clusterDb && { placed: clusterDb, auth: createDatabaseAuth(fuseDir, databaseSeed(clusterSettings!)) };
  const routeTls = clusterSettings?.tls ? await makeRouteTls(path.join(fuseDir, "nats"), clusterSettings.node, splitHostPort(clusterSettings.address).host, routeCaSeed(clusterSettings)) : undefined;
  const sinks = new LogSinks({ dir: path.join(fuseDir, "logs"), ...config.logging, onLine: options.onLine });
  const log = createLogger({ actor: BuiltinActor.hub, level: config.logging.level, destination: sinks.streamFor(BuiltinActor.hub) });
  const cleanups = new CleanupStack(log);
  // Named in the error when the start fails (a bus library's bare TIMEOUT says nothing of where).
  let step = "starting the log shipping";
  // Each step's start at debug level: where a slow start spends its time.
  const enter = (next: string) => {
    step = next;
    log.debug({ step, ms: Math.round(performance.now() - began) }, "hub start step");
  };
  try {
    const shipper = config.logging.ship.length > 0 ? await LogShipper.create(config.logging.ship, log.child({ mod: "hub.ship" })) : undefined;
    if (shipper) sinks.shipTo(shipper);
    // A revived server has a new PID, and while the bus is down the CLI cannot ask the hub:
    // the state file keeps both up to date.
    let published: (() => void) | undefined;
    const identityOf = (plan: ActorPlan) => ({ name: plan.name, role: busRoleOf(plan.name) });
    // What each actor uses of JetStream is read from its definition while the servers start,
    // and granted before any actor connects.
    // A failed start waits for the descriptions too: each runs an actor's module in a process
    // of its own, which must not outlive the hub (describePlans never rejects).
    const describing = describePlans(plans, dir, config.prefix);
    enter("starting nats-server and sqld");
    const servers = await startServers(config, fuseDir, log, cleanups, () => published?.(), plans.map(identityOf), clusterSettings && { natsConfig: natsClusterConfig(clusterSettings, routeTls), busKey: busKey(clusterSettings), database: sharedDb }).catch(async (error: unknown) => {
      await describing;
      throw error;
    });
    enter("reading the actors' definitions");
    const described = await describing;
    await Promise.all(plans.map((plan) => servers.grant({ ...identityOf(plan), uses: described.get(plan.name) })));
    enter("connecting to the bus");
    const hubCreds = servers.credsFor({ name: HUB_IDENTITY, role: "owner" });
    // The server was just started (and, in a cluster, is meeting its routes): a loaded machine gets longer than a client's 10 s.
    const connection = await connectNats({ url: servers.natsUrl, name: BuiltinActor.hub, connectTimeoutMs: 30_000, log, tls: busTlsFiles(config, dir), credsFile: hubCreds, inboxPrefix: inboxPrefix(HUB_IDENTITY) });
    const transport = new NatsTransport(connection, { receipts: config.bus.receipts, events: eventLimitsOf(config.events), ...(clusterSettings ? { replicas: clusterSettings.replicas } : {}) });
    cleanups.push(() => transport.close());
    // A node waits for the cluster's JetStream quorum before it makes or opens any stream.
    enter("joining the cluster");
    const cluster = clusterSettings && (await ClusterNode.join(clusterSettings, transport, config.prefix, log));
    // The event stream exists (with the config's retention) before any actor emits or subscribes.
    enter("making the event streams");
    const prepareEvents = () => transport.prepareEvents(config.prefix);
    await (cluster ? whileJetStreamSettles("the event streams", prepareEvents, log) : prepareEvents());
    const info: HubInfo = { pid: process.pid, dir, prefix: config.prefix, natsUrl: servers.natsUrl, startedAt: Date.now(), version: FUSE_VERSION };
    const natsTls = busTlsFiles(config, dir);
    if (natsTls) info.natsTls = natsTls;
    if (servers.dbUrl) info.dbUrl = servers.dbUrl;
    // The first gateway instance's address is the hub's (the state file, hub.info, the console).
    const gatewayReady = followGatewayAddress({ log, info, pinEnv: (env) => supervisor.group(BuiltinActor.gateway).pinEnv(env), publish: () => published?.() });
    const onReady = (actor: string, index: number, address: string | undefined) => (actor === BuiltinActor.gateway && index === 0 && address ? gatewayReady(address) : undefined);
    // Callers holding receipts from a dead instance stop waiting for it at once.
    const onLost = (serviceId: string, actor: string) =>
      transport.publish(INSTANCE_LOST_SUBJECT, JSON.stringify({ instance: serviceId, subjects: endpointSubject(config.prefix, actor, "") }));
    const makeBuckets = createBucketMaker(transport, config.prefix);
    const supervisor = createSupervisor(dir, config, servers.natsUrl, { url: servers.actorDbUrl, tokenFile: servers.dbAuth?.tokenFile }, {
      launcher: options.launcher ?? new LocalLauncher(),
      sinks,
      log,
      onReady,
      onLost,
      // Each actor's identity (shared by its instances) has the rights its role allows and its
      // definition's buckets and event topics (protocol/bus-permissions.ts); the hub makes the buckets.
      credsFor: async (plan, uses) => {
        await makeBuckets(plan.name, uses);
        return servers.grant({ ...identityOf(plan), uses });
      },
      // On a cluster, the user actors' counts are the cluster's, spread by its placement.
      ...(cluster ? { placement: cluster.supervisorPlacement(), node: cluster.settings.node } : {}),
    });
    cleanups.push(() => supervisor.stopAll());

    let resolveStopped!: () => void;
    const stopped = new Promise<void>((r) => (resolveStopped = r));
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        log.info("hub stopping");
        await cleanups.run();
        removeState(dir);
        await sinks.close();
        resolveStopped();
      })());

    const schedulerOptions = { log: log.child({ mod: "hub.scheduler" }), run: (name: string, s: FuseConfig["schedules"][string]) => runScheduled(transport, config.prefix, name, s) };
    // On a cluster the schedules run on the node holding their lease, each tick once.
    const scheduler = cluster ? cluster.createScheduler(schedulerOptions) : new Scheduler(schedulerOptions);
    cleanups.push(() => scheduler.stop());
    enter("starting the hub actor");
    const hubActor = await startActor(
      createHubActor({
        supervisor,
        schedules: () => scheduler.list(),
        info: () => info,
        stats: () => gatherStats(transport, clusterSettings?.node),
        keyed: new KeyedKeys(transport, config.prefix),
        recentLogs: (name, lines) => sinks.lines(name, lines),
        shutdown: () => void stop(),
        // On a cluster this node's hub also answers on its own subjects, for requests meant for this node alone.
        ...(cluster ? { cluster: new NodeControl({ transport, prefix: config.prefix, node: cluster.settings.node, liveNodes: () => cluster.liveNodes() }) } : {}),
      }),
      {
        transport,
        prefix: config.prefix,
        log: log.child({ mod: "hub.actor" }),
        principals: createPrincipalVerifier(readKeyFile(principalKeys.publicKey, "hub public key")),
        metrics: config.metrics.enabled && "process",
        ...(cluster ? { node: cluster.settings.node, directSubject: (endpoint: string) => hubNodeSubject(config.prefix, cluster.settings.node, endpoint) } : {}),
      },
    );
    cleanups.push(() => hubActor.stop());
    cleanups.push(await startHubMetrics({ transport, config: config.metrics, statuses: () => supervisor.statuses(), natsMonitorUrl: servers.natsMonitorUrl, shipping: shipper && (() => shipper.counts()), log: log.child({ mod: "hub.metrics" }) }));

    enter("migrating the database");
    await migrateFirst(dir, servers.dbUrl, servers.dbAuth?.token, log);
    enter("starting the actors");
    await startActors(plans, supervisor, log);
    cleanups.push(followLiveChanges({ dir, configFile: CONFIG_FILE, config, plans, supervisor, scheduler, log, watchSources: Boolean(options.watch) }));
    scheduler.apply(config.schedules);
    if (cluster) {
      enter("taking part in the cluster's placement");
      const applyShares = async (shares: Record<string, number>) => {
        await Promise.all(Object.entries(shares).map(([name, instances]) => supervisor.applyShare(name, instances)));
      };
      cleanups.push(await cluster.start({ info, statuses: async () => supervisor.statuses(), placeable: () => supervisor.placeable(), applyShares }));
    }
    const autoscaler = new Autoscaler(supervisor, transport, log.child({ mod: "hub.autoscale" }));
    cleanups.push(() => autoscaler.stop());

    // The CLI's identity: every right on the bus, for whoever may read the hub folder.
    const adminCreds = servers.credsFor({ name: ADMIN_IDENTITY, role: "owner" });
    published = () => {
      const busDownSince = servers.busDownSince();
      writeState(dir, { ...info, servicePids: servers.pids(), processes: identities(servers.pids()), ...(busDownSince ? { busDownSince } : {}), ...(adminCreds ? { natsCreds: adminCreds } : {}), ...(clusterSettings ? { cluster: { name: clusterSettings.name, node: clusterSettings.node } } : {}) });
    };
    published();
    const readyMs = Math.round(performance.now() - began);
    log.info({ readyMs, actors: supervisor.names(), natsUrl: servers.natsUrl }, "hub ready");
    return {
      info,
      readyMs,
      statuses: async (withStats = true) => supervisor.statuses(withStats ? await gatherStats(transport, clusterSettings?.node) : undefined),
      stop,
      stopped,
    };
  } catch (error) {
    await cleanups.run();
    await sinks.close();
    throw startFailure(error, step);
  }
}

/**
 * A Fuse error already says what is wrong (a bad config, a server that cannot start); any
 * other (a bus library's TIMEOUT) is said as the step it stopped the hub at.
 */
function startFailure(error: unknown, step: string): Error {
  if (error instanceof FuseError) return error;
  return new UnavailableError(`the hub did not start: ${step} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
