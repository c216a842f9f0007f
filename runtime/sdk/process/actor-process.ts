/**
 * The program of an actor process when the module is loaded by path (through tsx):
 * `node --import tsx runtime/sdk/process/actor-process.ts` with FUSE_MODULE and the other ProcessEnv
 * variables set. The hub normally runs a bundle instead (see hub/process/actor-bundle.ts).
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ProcessEnv } from "../../protocol/index.ts";
import { runActorProcess } from "./actor-main.ts";

const modulePath = process.env[ProcessEnv.module] ?? "";
runActorProcess(() => import(pathToFileURL(path.resolve(modulePath)).href) as Promise<Record<string, unknown>>, modulePath);
