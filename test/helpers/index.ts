export { waitFor } from "./wait-for.ts";
export { isAlive, killLeftovers, listensOn } from "./processes.ts";
export { startNats, freshPrefix, type NatsHarness } from "./nats.ts";
export { copyDemoHub, createHubDir, hubBus, hubNatsOptions, removeHubDir, runCli, startHub, REPO, type RunningHub, type CliResult } from "./hub.ts";
export { startSqld, type SqldHarness } from "./sqld.ts";
export { killTaskmaster, startTaskHub } from "./task-hub.ts";
export { waitForPartitionShares } from "./keyed.ts";
