/**
 * The taskmaster as the hub runs it: `FUSE_HUB_DIR` is the hub folder (tasks/ lives there),
 * `FUSE_DB_URL` the libSQL URL of the run store.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { ProcessEnv } from "../protocol/index.ts";
import { databaseTokenFromEnv } from "../sdk/internal.ts";
import { createTaskmasterActor } from "./endpoints/taskmaster-actor.ts";

const hubDir = path.resolve(process.env[ProcessEnv.hubDir] ?? process.cwd());
function fallbackDbUrl(): string {
  // Without a database server (a bare `node actor-process.ts`), runs go to a file in .fuse/.
  mkdirSync(path.join(hubDir, ".fuse"), { recursive: true });
  return `file:${path.join(hubDir, ".fuse", "taskmaster.db")}`;
}

const dbUrl = process.env[ProcessEnv.dbUrl] || fallbackDbUrl();

export default createTaskmasterActor({ hubDir, dbUrl, dbToken: databaseTokenFromEnv() });
