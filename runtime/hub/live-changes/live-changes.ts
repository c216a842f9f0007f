import path from "node:path";
import type { ActorPlan, FuseConfig } from "../../config/index.ts";
import type { Logger } from "../../log/index.ts";
import { applyConfig, type AppliedConfig } from "./apply-config.ts";
import { watchConfig } from "./config-watcher.ts";
import type { Scheduler } from "../scaling/scheduler.ts";
import { watchSources } from "./source-watcher.ts";
import type { Supervisor } from "../supervision/supervisor.ts";

export interface LiveChangesOptions {
  dir: string;
  configFile: string;
  config: FuseConfig;
  plans: ActorPlan[];
  supervisor: Supervisor;
  scheduler: Scheduler;
  log: Logger;
  /** Also restart an actor when its source changes (`fuse up --watch`). */
  watchSources: boolean;
}

/** Applies edits of fuse.yaml (and with --watch, of actors' sources) while the hub runs; resolves to a stop function. */
export function followLiveChanges(options: LiveChangesOptions): () => Promise<void> {
  const { dir, supervisor, log } = options;
  let applied: AppliedConfig = { config: options.config, plans: options.plans };
  let applying = Promise.resolve();
  const stopConfig = watchConfig({
    hubDir: dir,
    file: options.configFile,
    // One edit at a time, in order: a quick second save waits for the first to be applied.
    onChange: (text) =>
      (applying = applying.then(async () => {
        applied = await applyConfig(text, { hubDir: dir, file: options.configFile, supervisor, log: log.child({ mod: "hub.config" }), current: applied });
        options.scheduler.apply(applied.config.schedules);
      })),
  });
  const folders = new Map(options.plans.filter((p) => !p.builtin && (p.kind ?? "actor") === "actor").map((p) => [p.name, path.dirname(p.module)]));
  const stopSources = options.watchSources
    ? watchSources({
        folders,
        onChange: (actor, file) => {
          if (!supervisor.has(actor)) return;
          log.info({ actor, file: path.relative(dir, file) }, "source changed, restarting actor");
          supervisor
            .group(actor)
            .restart()
            .catch((err) => log.warn({ err, actor }, "restart after source change failed"));
        },
      })
    : () => undefined;
  return async () => {
    stopConfig();
    stopSources();
    await applying;
  };
}
