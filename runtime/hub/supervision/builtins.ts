import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ActorPlan, FuseConfig } from "../../config/index.ts";
import { BuiltinActor } from "../../protocol/index.ts";

const runtimeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The built-in actors, each enabled by the config or always. */
const BUILTINS = [
  { name: BuiltinActor.db, enabled: (_c: FuseConfig) => true },
  { name: BuiltinActor.gateway, enabled: (c: FuseConfig) => c.gateway.enabled },
  { name: BuiltinActor.taskmaster, enabled: (_c: FuseConfig) => true },
] as const;

/** The built-in actors this config runs, each from `runtime/<name>/actor.ts`. */
export function builtinPlans(config: FuseConfig): ActorPlan[] {
  return BUILTINS.filter((b) => b.enabled(config))
    .map((b) => ({ name: b.name, module: path.join(runtimeDir, b.name, "actor.ts") }))
    .filter((b) => existsSync(b.module))
    .map((b) => ({ ...b, instances: 1, env: {}, builtin: true }));
}
