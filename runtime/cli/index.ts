/**
 * @module cli
 * The `fuse` commands. Talks to the hub over the bus like any client; `fuse up` starts the
 * hub through its entry. Only this module writes to stdout and stderr directly. `fuse check`
 * parses task and table schemas with their own modules' parsers, without starting them.
 * May import: bus, config, log, protocol, errors, hub, build, table, taskmaster and security.
 */
export { main, createProgram } from "./main.ts";
export { withHub, readHubState, type HubCall } from "./hub-client.ts";
export { table, printJson, print, printError, colour } from "./output.ts";
