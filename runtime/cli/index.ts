/**
 * @module cli
 * The `fuse` commands. Talks to the hub over the bus like any client; `fuse up` starts the
 * hub through its entry. Only this module writes to stdout and stderr directly.
 * May import: bus, config, log, protocol, errors, hub and build.
 */
export { main, createProgram } from "./main.ts";
export { withHub, readHubState, type HubCall } from "./hub-client.ts";
export { table, printJson, print, printError, colour } from "./output.ts";
