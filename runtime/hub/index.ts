/**
 * @module hub
 * The supervisor: starts nats-server, sqld and every actor as its own process, watches
 * heartbeats, revives crashed or hung instances with backoff, rolls restarts, applies config
 * changes, and answers control requests as the `hub` actor. Folders by job: supervision/,
 * live-changes/, scaling/, servers/, process/, control/. The SDK is used only for its own actor.
 * May import: bus, config, log, protocol, errors, sdk, build, table, security and metrics.
 */
export { startHub, type Hub, type StartHubOptions } from "./start-hub.ts";
export { readState, writeState, removeState, hubRunning, stopLeftovers } from "./state-file.ts";
export { decideRestart, type RestartDecision, type RestartPolicyOptions } from "./supervision/restart-policy.ts";
export { assessHealth, type Health, type HealthOptions } from "./supervision/health.ts";
export { bundleActor, identify } from "./process/index.ts";
export { FUSE_VERSION } from "../protocol/index.ts";
export { freePort, freePorts } from "./servers/ports.ts";
export { startNatsServer, natsServerBinary, natsServerThreads, natsStoreDir, type NatsServerHandle } from "./servers/nats-server.ts";
export { sqldArgs, startSqld, type SqldHandle } from "./servers/sqld.ts";
export { restoreDatabaseOffline, type OfflineRestoreResult } from "./servers/offline-restore.ts";
export { runActorPod, type ActorPod, type PodExit, type RunActorPodOptions } from "./pod/run-actor-pod.ts";
export { ProbePath, DEFAULT_PROBE_PORT } from "./pod/probe-server.ts";
export { createNkeyPair, publicKeyOfSeed } from "./servers/nkey-pair.ts";
export { builtinPlans, hubPlans } from "./supervision/builtins.ts";
export { describePlans } from "./process/index.ts";
export { setupHub, type SetupReport } from "./pod/setup-hub.ts";
export { BusIdentities, type BusIdentitiesOptions } from "./servers/bus-identities.ts";
