/**
 * @module hub
 * The supervisor: starts nats-server and every actor as its own process, watches heartbeats,
 * revives crashed or hung instances with backoff, rolls restarts, and answers control
 * requests as the `hub` actor. Imports bus, config, log, protocol, errors and sdk (for its own
 * actor only).
 */
export { startHub, type Hub, type StartHubOptions } from "./start-hub.ts";
export { readState, writeState, removeState } from "./state-file.ts";
export { decideRestart, type RestartDecision, type RestartPolicyOptions } from "./restart-policy.ts";
export { assessHealth, type Health, type HealthOptions } from "./health.ts";
export { bundleActor } from "./process/index.ts";
export { FUSE_VERSION } from "./version.ts";
export { startNatsServer, natsServerBinary, type NatsServerHandle } from "./services/nats-server.ts";
