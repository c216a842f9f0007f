import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { resolveActors, type ActorPlan, type FuseConfig } from "../../config/index.ts";
import { BuiltinActor, TASKS_DIR } from "../../protocol/index.ts";

const runtimeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * The built-in actors, each enabled by the config or always, with the hub-folder paths their
 * definitions read when they load: the taskmaster's event topics are its tasks' await steps
 * (TASKS_DIR), so its rights are read again when a task changes.
 */
const BUILTINS: { name: string; enabled: (c: FuseConfig) => boolean; reads?: string[] }[] = [
  { name: BuiltinActor.db, enabled: () => true },
  { name: BuiltinActor.gateway, enabled: (c) => c.gateway.enabled },
  { name: BuiltinActor.taskmaster, enabled: () => true, reads: [TASKS_DIR] },
];

/** The built-in actors this config runs, each from `runtime/<name>/actor.ts`. */
export function builtinPlans(config: FuseConfig): ActorPlan[] {
  return BUILTINS.filter((b) => b.enabled(config))
    .map((b) => ({ name: b.name, module: path.join(runtimeDir, b.name, "actor.ts"), ...(b.reads ? { reads: b.reads } : {}) }))
    .filter((b) => existsSync(b.module))
    .map((b) => ({ ...b, instances: 1, env: {}, builtin: true }));
}

/**
 * Everything the hub runs: the built-in actors, then the user's actors and processes from `dir`.
 * `file` names the config in error messages (default: config/fuse.yaml).
 * @throws CONFIG_INVALID as resolveActors does: a listed actor with no module file, a process named like an actor.
 */
export function hubPlans(config: FuseConfig, dir: string, file?: string): ActorPlan[] {
  return [...builtinPlans(config), ...resolveActors(config, dir, file)];
}
