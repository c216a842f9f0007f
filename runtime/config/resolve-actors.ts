import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors/index.ts";
import { ProcessEnv, isValidName, type PlacementConstraint } from "../protocol/index.ts";
import type { AutoscaleConfig, FuseConfig } from "./config-schema.ts";

/** An actor the hub runs: where its module is and how many processes it gets. */
export interface ActorPlan {
  name: string;
  /** Absolute path of the module. */
  module: string;
  instances: number;
  env: Record<string, string>;
  /** Built-in actors (gateway, db, taskmaster) ship with Fuse. */
  builtin: boolean;
  /** `actor`: a Fuse actor module; `process`: any program (`command` + `args`). */
  kind?: "actor" | "process";
  command?: string;
  args?: string[];
  cwd?: string;
  autoscale?: AutoscaleConfig;
  /** On a cluster: where it may run (`instances` is then the cluster's count). */
  placement?: PlacementConstraint;
  /**
   * Files or folders (relative to the hub folder) the definition reads when it loads, so
   * what it declares (buckets, event topics) is read again when they change: the
   * taskmaster's tasks/.
   */
  reads?: string[];
}

const ENTRY_NAMES = ["index.ts", "index.mts", "index.js", "index.mjs"];

/** Folders of `actorsDir` whose entry module calls `defineActor`. */
export function discoverActors(hubDir: string, actorsDir: string): Map<string, string> {
  const root = path.resolve(hubDir, actorsDir);
  const found = new Map<string, string>();
  if (!existsSync(root)) return found;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !isValidName(entry.name)) continue;
    const file = ENTRY_NAMES.map((n) => path.join(root, entry.name, n)).find(existsSync);
    if (file && readFileSync(file, "utf8").includes("defineActor")) found.set(entry.name, file);
  }
  return found;
}

/**
 * The actors to run: every one discovered under `actorsDir` (unless `discover: false`),
 * with the settings the config adds, plus those the config lists with a module.
 * @throws CONFIG_INVALID when a listed actor has no module file.
 */
export function resolveActors(config: FuseConfig, hubDir: string, file = "config/fuse.yaml"): ActorPlan[] {
  const discovered = config.discover ? discoverActors(hubDir, config.actorsDir) : new Map<string, string>();
  const plans = new Map<string, ActorPlan>();
  for (const [name, module] of discovered) plans.set(name, { name, module, instances: 1, env: {}, builtin: false });
  for (const [name, settings] of Object.entries(config.actors)) {
    const module = settings.module
      ? path.resolve(hubDir, settings.module)
      : (plans.get(name)?.module ?? path.resolve(hubDir, config.actorsDir, name, "index.ts"));
    if (!existsSync(module)) {
      const key = `actors.${name}${settings.module ? ".module" : ""}`;
      throw new ConfigError(`${file} ${key}: module ${path.relative(hubDir, module) || module} does not exist`, {
        location: { file, key },
      });
    }
    const instances = settings.autoscale ? Math.max(settings.autoscale.min, Math.min(settings.instances, settings.autoscale.max)) : settings.instances;
    plans.set(name, { name, module, instances, env: withCircuit(settings.env, settings.circuit), builtin: false, ...(settings.autoscale ? { autoscale: settings.autoscale } : {}), ...(settings.placement ? { placement: settings.placement } : {}) });
  }
  for (const [name, p] of Object.entries(config.processes)) {
    if (plans.has(name)) {
      throw new ConfigError(`${file} processes.${name}: the name is taken by an actor`, { location: { file, key: `processes.${name}` } });
    }
    plans.set(name, {
      name,
      module: p.command,
      instances: p.instances,
      env: p.env,
      builtin: false,
      kind: "process",
      command: p.command,
      args: p.args,
      cwd: path.resolve(hubDir, p.cwd ?? "."),
      ...(p.placement ? { placement: p.placement } : {}),
    });
  }
  return [...plans.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The actor's circuit settings ride in its environment, so a change restarts it like any env change. */
function withCircuit(env: Record<string, string>, circuit: object | undefined): Record<string, string> {
  return circuit ? { ...env, [ProcessEnv.circuit]: JSON.stringify(circuit) } : env;
}
