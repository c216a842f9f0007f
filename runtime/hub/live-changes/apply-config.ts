import path from "node:path";
import { safeParseConfig, type ActorPlan, type FuseConfig } from "../../config/index.ts";
import { toFuseError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import { hubPlans } from "../supervision/builtins.ts";
import { isEmptyPlan, planReconcile } from "./reconcile.ts";
import type { Supervisor } from "../supervision/supervisor.ts";

// Sections the running hub cannot change in place.
const RESTART_ONLY = ["prefix", "bus", "db", "gateway", "logging", "health", "restart", "drainTimeoutMs"] as const;

export interface ApplyConfigOptions {
  hubDir: string;
  file: string;
  supervisor: Supervisor;
  log: Logger;
  /** The config in force and the actors it resolved to; replaced when an edit is applied. */
  current: AppliedConfig;
}

export interface AppliedConfig {
  config: FuseConfig;
  plans: ActorPlan[];
}

/**
 * Applies an edited config: starts, stops, rescales and restarts only the actors whose
 * settings changed. An invalid edit is reported (file, line, key) and the running config stays.
 * Returns the config now in force.
 */
export async function applyConfig(text: string, options: ApplyConfigOptions): Promise<AppliedConfig> {
  const { supervisor, log } = options;
  const parsed = safeParseConfig(text, options.file, { baseDir: path.resolve(options.hubDir) });
  if (!parsed.ok) {
    log.warn({ err: parsed.error, code: parsed.error.code, details: parsed.error.details }, "config edit ignored");
    return options.current;
  }
  const config = parsed.value;
  let plans;
  try {
    plans = hubPlans(config, options.hubDir, options.file);
  } catch (error) {
    const err = toFuseError(error);
    log.warn({ err, code: err.code, details: err.details }, "config edit ignored");
    return options.current;
  }
  const changed = RESTART_ONLY.filter((key) => JSON.stringify(config[key]) !== JSON.stringify(options.current.config[key]));
  if (changed.length) log.warn({ keys: changed }, "config change needs a hub restart");
  // The difference between two configs, so that a manual `fuse actors scale` stays until the
  // config itself changes that actor.
  const plan = planReconcile(options.current.plans, plans);
  for (const wanted of plans) if (supervisor.has(wanted.name)) supervisor.group(wanted.name).retune(wanted.autoscale);
  if (isEmptyPlan(plan)) return { config, plans };
  for (const name of plan.stop) await supervisor.remove(name);
  for (const wanted of plan.restart) await supervisor.group(wanted.name).replan(wanted);
  for (const { name, instances } of plan.scale) await supervisor.rescale(name, instances, "config");
  await Promise.all(plan.start.map((wanted) => supervisor.launch(wanted)));
  log.info(
    {
      started: plan.start.map((p) => p.name),
      stopped: plan.stop,
      rescaled: plan.scale,
      restarted: plan.restart.map((p) => p.name),
    },
    "config applied",
  );
  return { config, plans };
}
