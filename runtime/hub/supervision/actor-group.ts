import type { ActorPlan } from "../../config/index.ts";
import { HandlerError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import type { ActorState, ActorStatus, InstanceStatus } from "../../protocol/index.ts";
import type { HealthOptions } from "./health.ts";
import { Instance } from "./instance.ts";
import type { LogSinks } from "./log-sink.ts";
import type { ExitInfo, LaunchSpec, ProcessLauncher } from "../process/index.ts";
import { decideRestart, type RestartPolicyOptions } from "./restart-policy.ts";

export interface GroupSettings {
  restart: RestartPolicyOptions;
  health: HealthOptions;
  readyTimeoutMs: number;
  drainTimeoutMs: number;
}

export interface GroupDeps {
  launcher: ProcessLauncher;
  /** What to run for an instance; `fresh` asks for the actor's code to be rebuilt. */
  prepare(plan: ActorPlan, index: number, fresh: boolean): Promise<LaunchSpec>;
  sinks: LogSinks;
  log: Logger;
  settings: GroupSettings;
  /** Called each time an instance of the actor has started and reported ready (first start or revival), with the address it serves on outside the bus. */
  onReady?: (actor: string, index: number, address: string | undefined) => void;
  /** Called when an instance that was serving died unasked: the requests it held will never be answered. */
  onLost?: (serviceId: string, actor: string) => void;
}

export interface EndpointTotals {
  requests: number;
  errors: number;
  meanMs: number;
  /** A keyed actor's keys in memory, by instance index (absent for other actors). */
  keysByInstance?: Record<number, number>;
  /** Bulkheads and circuits over every instance (absent when the actor has neither). */
  guards?: ActorStatus["guards"];
}

const ACTIVE = new Set(["starting", "running", "busy"]);

/** The instances of one actor: starting, reviving, scaling, rolling restarts and stopping. */
export class ActorGroup {
  private instances: Instance[] = [];
  private desired: number;
  private currentPlan: ActorPlan;

  constructor(
    plan: ActorPlan,
    private readonly deps: GroupDeps,
  ) {
    this.currentPlan = { ...plan };
    this.desired = plan.instances;
  }

  get plan(): ActorPlan {
    return this.currentPlan;
  }

  /** Adds to the environment of instances started from now on (revivals), without a restart. */
  pinEnv(env: Record<string, string>): void {
    this.currentPlan = { ...this.currentPlan, env: { ...this.currentPlan.env, ...env } };
  }

  /** Takes the count an edited config sets, without scaling (a cluster's placement scales). */
  configure(instances: number): void {
    this.currentPlan = { ...this.currentPlan, instances };
  }

  /** Takes new autoscale bounds (or none) from an edited config. */
  retune(autoscale: ActorPlan["autoscale"]): void {
    this.currentPlan = { ...this.currentPlan, autoscale };
  }

  /** Takes a changed module or environment and restarts onto it, one instance at a time. */
  async replan(plan: ActorPlan): Promise<void> {
    this.currentPlan = { ...plan, instances: this.currentPlan.instances };
    await this.restart();
  }

  /** Starts the missing instances; resolves when each is ready or has crashed once. */
  async start(instances = this.desired || this.plan.instances): Promise<void> {
    this.desired = instances;
    const starting: Promise<void>[] = [];
    for (let index = 0; index < this.desired; index++) {
      const existing = this.instances[index];
      if (existing && existing.state !== "stopped" && existing.state !== "failed") continue;
      const instance = new Instance(this.plan.name, index, this);
      this.instances[index] = instance;
      starting.push(this.launch(instance));
    }
    await Promise.all(starting);
  }

  private async launch(instance: Instance, fresh = false): Promise<void> {
    instance.markStarting();
    let spec: LaunchSpec;
    try {
      spec = await this.deps.prepare(this.plan, instance.index, fresh);
    } catch (error) {
      const reason = (error as Error).message;
      this.onCrash(instance, instance.failedToStart(reason), reason);
      return;
    }
    const process = this.deps.launcher.launch(spec);
    process.onOutput((line, stream) => this.deps.sinks.write(this.plan.name, line, { instance: instance.index, stream }));
    return instance.attach(process, this.deps.settings.readyTimeoutMs, this.plan.kind === "process").then(
      () => this.deps.onReady?.(this.plan.name, instance.index, instance.address),
      () => {
        // The crash is handled (and logged) by onCrash, which decides about reviving it.
      },
    );
  }

  onCrash(instance: Instance, exit: ExitInfo, reason: string): void {
    if (instance.serviceId) this.deps.onLost?.(instance.serviceId, this.plan.name);
    const now = Date.now();
    const decision = decideRestart(instance.recordCrash(now), now, this.deps.settings.restart);
    const fields = { actor: this.plan.name, instance: instance.index, code: exit.code, signal: exit.signal, reason };
    if (decision.action === "give-up") {
      instance.giveUp();
      this.deps.log.error({ ...fields, crashes: decision.crashes }, "crash loop, instance marked failed");
      return;
    }
    this.deps.log.warn({ ...fields, delayMs: decision.delayMs }, "instance crashed, restart scheduled");
    instance.scheduleRevival(decision.delayMs, () => void this.launch(instance));
  }

  /** Replaces each instance in turn: the new one is ready before the old one drains, so no request fails. */
  async restart(): Promise<void> {
    for (let index = 0; index < this.instances.length; index++) {
      const old = this.instances[index];
      if (!old) continue;
      const replacement = new Instance(this.plan.name, index, this, old.restarts + 1);
      this.instances[index] = replacement;
      // A restart picks up changed code: the first replacement rebuilds the actor.
      await this.launch(replacement, index === 0);
      if (!replacement.serving) {
        // Keep serving with the old process rather than trade it for a broken one.
        await replacement.stop(0);
        this.instances[index] = old;
        throw new HandlerError(`restart of ${this.plan.name} aborted: the new instance ${replacement.lastExit?.reason ?? "did not start"}`);
      }
      await old.stop(this.deps.settings.drainTimeoutMs + 2000);
    }
  }

  async scale(instances: number): Promise<void> {
    if (instances >= this.desired) return this.start(instances);
    this.desired = instances;
    const removed = this.instances.splice(instances);
    await Promise.all(removed.map((i) => i.stop(this.deps.settings.drainTimeoutMs + 2000)));
  }

  /** Drains and stops every instance; `start` brings them back. */
  async stop(): Promise<void> {
    const count = this.desired;
    await Promise.all(this.instances.map((i) => i.stop(this.deps.settings.drainTimeoutMs + 2000)));
    this.instances = [];
    this.desired = 0;
    this.currentPlan.instances = count || this.currentPlan.instances;
  }

  checkHealth(now: number): void {
    for (const instance of this.instances) instance.checkHealth(now, this.deps.settings.health);
  }

  pids(): number[] {
    return this.instances.flatMap((i) => (i.process ? [i.process.pid] : []));
  }

  status({ keysByInstance, ...totals }: EndpointTotals = { requests: 0, errors: 0, meanMs: 0 }): ActorStatus {
    const instances = this.instances.map((i) => withKeys(i.status(), keysByInstance));
    const running = instances.filter((i) => ACTIVE.has(i.status) && i.status !== "starting").length;
    const started = instances.map((i) => i.startedAt).filter((t): t is number => t !== null);
    return {
      name: this.plan.name,
      builtin: this.plan.builtin,
      kind: this.plan.kind ?? "actor",
      module: this.plan.module,
      status: aggregate(this.desired, running, instances.map((i) => i.status)),
      desired: this.desired,
      running,
      restarts: instances.reduce((n, i) => n + i.restarts, 0),
      pids: this.pids(),
      uptimeMs: started.length ? Date.now() - Math.min(...started) : null,
      ...totals,
      ...(keysByInstance ? { keys: instances.reduce((n, i) => n + (i.keys ?? 0), 0) } : {}),
      instances,
    };
  }
}

/** An instance's status with its keys in memory when the actor is keyed (a stopped instance holds none). */
function withKeys(status: InstanceStatus, keysByInstance: Record<number, number> | undefined): InstanceStatus {
  return keysByInstance ? { ...status, keys: status.pid === null ? 0 : (keysByInstance[status.index] ?? 0) } : status;
}

function aggregate(desired: number, running: number, states: string[]): ActorState {
  if (desired === 0) return "stopped";
  if (running === 0) return states.some((s) => s === "failed") && !states.some((s) => s === "backoff" || s === "starting") ? "failed" : "starting";
  if (running < desired) return "degraded";
  return states.includes("busy") ? "busy" : "running";
}
