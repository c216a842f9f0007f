/**
 * @module table (internal entry)
 * What the runtime's own parts share of the table module beyond its public index: restoring a
 * backup file into a database, used by the `db` actor and by the hub (at start, before any
 * actor runs, and by `fuse db restore` while the hub is down). Actors never import it.
 */
export { restoreDatabase } from "./restore-database.ts";
