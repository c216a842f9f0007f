import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ActorPlan } from "../config/index.ts";
import { NotFoundError } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";
import { ErrorCode, ProcessEnv, type ActorStatus } from "../protocol/index.ts";
import { ActorGroup, type EndpointTotals, type GroupSettings } from "./actor-group.ts";
import type { LogSinks } from "./log-sink.ts";
import type { LaunchSpec, ProcessLauncher } from "./process/index.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const ACTOR_PROCESS = path.resolve(here, "../sdk/actor-process.ts");
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface SupervisorOptions {
  hubDir: string;
  prefix: string;
  natsUrl: string;
  dbUrl?: string;
  logLevel: string;
  heartbeatMs: number;
  settings: GroupSettings;
  launcher: ProcessLauncher;
  sinks: LogSinks;
  log: Logger;
}

/** Runs every actor's processes: composes one ActorGroup per actor and a health check loop. */
export class Supervisor {
  private readonly groups = new Map<string, ActorGroup>();
  private healthTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SupervisorOptions) {}

  private spec(plan: ActorPlan, index: number): LaunchSpec {
    const o = this.options;
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...plan.env,
      [ProcessEnv.actor]: plan.name,
      [ProcessEnv.module]: plan.module,
      [ProcessEnv.natsUrl]: o.natsUrl,
      [ProcessEnv.prefix]: o.prefix,
      [ProcessEnv.instance]: String(index),
      [ProcessEnv.logLevel]: o.logLevel,
      [ProcessEnv.heartbeatMs]: String(o.heartbeatMs),
      [ProcessEnv.drainMs]: String(o.settings.drainTimeoutMs),
      [ProcessEnv.hubDir]: o.hubDir,
    };
    if (o.dbUrl) env[ProcessEnv.dbUrl] = o.dbUrl;
    return {
      label: `${plan.name}#${index}`,
      command: process.execPath,
      args: ["--import", TSX_LOADER, ACTOR_PROCESS],
      env,
      cwd: o.hubDir,
    };
  }

  add(plan: ActorPlan): ActorGroup {
    const group = new ActorGroup(plan, {
      launcher: this.options.launcher,
      spec: (p, i) => this.spec(p, i),
      sinks: this.options.sinks,
      log: this.options.log,
      settings: this.options.settings,
    });
    this.groups.set(plan.name, group);
    this.healthTimer ??= setInterval(() => this.checkHealth(), this.options.heartbeatMs);
    return group;
  }

  group(name: string): ActorGroup {
    const group = this.groups.get(name);
    if (!group) throw new NotFoundError(ErrorCode.ACTOR_NOT_FOUND, `no actor named "${name}" in this hub`, { details: { name } });
    return group;
  }

  names(): string[] {
    return [...this.groups.keys()];
  }

  private checkHealth(): void {
    const now = Date.now();
    for (const group of this.groups.values()) group.checkHealth(now);
  }

  statuses(totals: Map<string, EndpointTotals> = new Map()): ActorStatus[] {
    return [...this.groups.values()].map((g) => g.status(totals.get(g.plan.name)));
  }

  pids(): number[] {
    return [...this.groups.values()].flatMap((g) => g.pids());
  }

  /** Stops the given actors (default all), user actors before built-in ones. */
  async stopAll(): Promise<void> {
    clearInterval(this.healthTimer);
    const groups = [...this.groups.values()];
    await Promise.all(groups.filter((g) => !g.plan.builtin).map((g) => g.stop()));
    await Promise.all(groups.filter((g) => g.plan.builtin).map((g) => g.stop()));
  }
}
