// The `db` built-in actor as the hub runs it: its folder and database from the environment.
import { ProcessEnv } from "../protocol/index.ts";
import { databaseTokenFromEnv } from "../table/index.ts";
import { createDbActor } from "./db-actor.ts";

export default createDbActor({ hubDir: process.env[ProcessEnv.hubDir] ?? process.cwd(), dbUrl: process.env[ProcessEnv.dbUrl], dbToken: databaseTokenFromEnv() });
