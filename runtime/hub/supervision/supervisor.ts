import path from "node:path";
import { natsTlsEnv, type NatsTlsFiles } from "../../bus/index.ts";
import type { ActorPlan } from "../../config/index.ts";
import { NotFoundError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import { BuiltinActor, ErrorCode, ProcessEnv, type ActorStatus } from "../../protocol/index.ts";
import { ActorGroup, type EndpointTotals, type GroupSettings } from "./actor-group.ts";
import type { LogSinks } from "./log-sink.ts";
import { hubKeyPaths } from "../../security/index.ts";
import { existsSync } from "node:fs";
import { bundleActor, describeActor, type DescribedUses, type LaunchSpec, type ProcessLauncher } from "../process/index.ts";


export interface SupervisorOptions {
  hubDir: string;
  prefix: string;
  /** On a cluster: this node's name, handed to each instance (FUSE_NODE). */
  node?: string;
  natsUrl: string;
  dbUrl?: string;
  /** The file of the token the database at dbUrl wants (a cluster's sqld). */
  dbTokenFile?: string | undefined;
  /** With `db.replica`: the folder of the actors' embedded replicas. */
  dbReplicaDir?: string;
  logLevel: string;
  heartbeatMs: number;
  settings: GroupSettings;
  launcher: ProcessLauncher;
  sinks: LogSinks;
  log: Logger;
  /** Called each time an instance has started and reported ready (first start or revival), with the address it serves on outside the bus. */
  onReady?: (actor: string, index: number, address: string | undefined) => void;
  /** Called with the service id of an instance that died unasked. */
  onLost?: (serviceId: string, actor: string) => void;
  /** Whether instances ask for receipts (bus.receipts). */
  receipts?: boolean;
  /** false: instances keep no Prometheus figures (metrics.enabled). */
  metrics?: boolean;
  /** Where instances export their spans (telemetry.otlp.url), how many they keep (telemetry.recent) and how many traces they record; none: tracing off. */
  telemetry?: { otlp?: { url: string } | undefined; recent?: { spans: number } | undefined; sampleRatio: number };
  /** TLS files for a bus reached over a network (bus.tls), handed to each instance by path. */
  natsTls?: NatsTlsFiles;
  /** The config's `events` in bus units, handed to each instance as JSON (their subscriptions' retries). */
  events?: object;
  /**
   * The NATS credential file of an actor's or process's identity, handed over by path
   * (FUSE_NATS_CREDS), once its rights cover `uses` (what the actor's definition uses of
   * JetStream; undefined for a foreign process) and its buckets exist.
   */
  credsFor?: (plan: ActorPlan, uses?: DescribedUses) => string | undefined | Promise<string | undefined>;
  /**
   * On a cluster: the placement decides the count of the actors it places. Such an actor starts
   * with no instance here until this node's share arrives, and a new count (a config edit,
   * `fuse actors scale`) goes to the placement instead of this node's group.
   */
  placement?: SupervisorPlacement;
}

export interface SupervisorPlacement {
  placed(plan: ActorPlan): boolean;
  /** The actor's count for the whole cluster, from a config edit or from `fuse actors scale`. */
  count(name: string, instances: number, from: "config" | "scale"): Promise<void>;
}

/** Runs every actor's processes: composes one ActorGroup per actor and a health check loop. */
export class Supervisor {
  private readonly groups = new Map<string, ActorGroup>();
  private readonly bundles = new Map<string, Promise<string>>();
  private healthTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SupervisorOptions) {}

  /** The actor's bundle, built once and shared by its instances until `fresh` asks again. */
  private bundle(plan: ActorPlan, fresh: boolean): Promise<string> {
    let bundle = this.bundles.get(plan.name);
    if (!bundle || fresh) {
      bundle = bundleActor(plan.name, plan.module, path.join(this.options.hubDir, ".fuse", "build"));
      // A failed build is not kept: the next start tries again, perhaps with fixed code.
      bundle.catch(() => this.bundles.delete(plan.name));
      this.bundles.set(plan.name, bundle);
    }
    return bundle;
  }

  private async prepare(plan: ActorPlan, index: number, fresh: boolean): Promise<LaunchSpec> {
    const o = this.options;
    if (plan.kind === "process") {
      return { label: `${plan.name}#${index}`, command: plan.command!, args: plan.args ?? [], env: this.env(plan, index, await o.credsFor?.(plan)), cwd: plan.cwd ?? o.hubDir };
    }
    const file = await this.bundle(plan, fresh);
    const env = this.env(plan, index, undefined);
    // Its rights come from its definition: read before it runs, granted before it connects.
    const creds = o.credsFor ? await o.credsFor(plan, await describeActor(file, env, plan.reads)) : undefined;
    return { label: `${plan.name}#${index}`, command: process.execPath, args: [file], env: this.withCreds(env, creds), cwd: o.hubDir };
  }

  private withCreds(env: Record<string, string>, creds: string | undefined): Record<string, string> {
    if (creds) env[ProcessEnv.natsCreds] = creds;
    else delete env[ProcessEnv.natsCreds];
    return env;
  }

  /** The environment of an instance: the hub's, the plan's, and who and where it is. */
  private env(plan: ActorPlan, index: number, creds: string | undefined): Record<string, string> {
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
    // A path, never the seed: argv is world-readable (/proc/<pid>/cmdline) and the environment
    // is handed on to whatever the process spawns; the 0600 file is readable by this user only.
    this.withCreds(env, creds);
    if (o.node) env[ProcessEnv.node] = o.node;
    else delete env[ProcessEnv.node];
    if (o.dbUrl) env[ProcessEnv.dbUrl] = o.dbUrl;
    if (o.dbTokenFile) env[ProcessEnv.dbTokenFile] = o.dbTokenFile;
    if (o.dbUrl && o.dbReplicaDir) env[ProcessEnv.dbReplica] = o.dbReplicaDir;
    if (o.receipts) env[ProcessEnv.receipts] = "1";
    if (o.metrics === false) env[ProcessEnv.metrics] = "0";
    this.telemetryEnv(env);
    Object.assign(env, natsTlsEnv(o.natsTls));
    if (o.events) env[ProcessEnv.events] = JSON.stringify(o.events);
    this.principalKeyEnv(plan, env);
    return env;
  }

  /** Tracing as the config says, and never as inherited from the hub's own environment. */
  private telemetryEnv(env: Record<string, string>): void {
    const telemetry = this.options.telemetry;
    delete env[ProcessEnv.otlpUrl];
    delete env[ProcessEnv.traceSampleRatio];
    delete env[ProcessEnv.traceRecent];
    if (!telemetry?.otlp && !telemetry?.recent) return;
    if (telemetry.otlp) env[ProcessEnv.otlpUrl] = telemetry.otlp.url;
    if (telemetry.recent) env[ProcessEnv.traceRecent] = String(telemetry.recent.spans);
    env[ProcessEnv.traceSampleRatio] = String(telemetry.sampleRatio);
  }

  /**
   * The hub's principal keys by path (made at start, `createHubKeys`): the public key to every
   * process, to verify `Fuse-Principal`; the signing key to the built-in gateway alone, and
   * removed from any environment that inherited it.
   */
  private principalKeyEnv(plan: ActorPlan, env: Record<string, string>): void {
    delete env[ProcessEnv.principalSigningKey];
    delete env[ProcessEnv.principalKey];
    const keys = hubKeyPaths(path.join(this.options.hubDir, ".fuse"));
    if (!existsSync(keys.publicKey)) return;
    env[ProcessEnv.principalKey] = keys.publicKey;
    if (plan.builtin && plan.name === BuiltinActor.gateway) env[ProcessEnv.principalSigningKey] = keys.signingKey;
  }

  add(plan: ActorPlan): ActorGroup {
    const group = new ActorGroup(plan, {
      launcher: this.options.launcher,
      prepare: (p, i, fresh) => this.prepare(p, i, fresh),
      sinks: this.options.sinks,
      log: this.options.log,
      settings: this.options.settings,
      onReady: (actor, index, address) => this.options.onReady?.(actor, index, address),
      onLost: (serviceId, actor) => this.options.onLost?.(serviceId, actor),
    });
    this.groups.set(plan.name, group);
    this.healthTimer ??= setInterval(() => this.checkHealth(), this.options.heartbeatMs);
    return group;
  }

  /** Adds an actor and starts it: its configured count, or none until its share arrives when the cluster places it. */
  async launch(plan: ActorPlan): Promise<void> {
    await this.add(plan).start(this.options.placement?.placed(plan) ? 0 : undefined);
  }

  /** A new count for an actor: applied to its instances here, or handed to the cluster's placement. */
  async rescale(name: string, instances: number, from: "config" | "scale"): Promise<void> {
    const group = this.group(name);
    const placement = this.options.placement;
    if (!placement?.placed(group.plan)) return group.scale(instances);
    if (from === "config") group.configure(instances);
    await placement.count(name, instances, from);
  }

  /** This node's share of a placed actor's instances (the placement's decision arrived). */
  async applyShare(name: string, instances: number): Promise<void> {
    const group = this.groups.get(name);
    if (group && this.options.placement?.placed(group.plan)) await group.scale(instances);
  }

  /** The actors the cluster's placement decides, with their configured counts and constraints. */
  placeable(): { name: string; instances: number; placement?: ActorPlan["placement"] }[] {
    const placement = this.options.placement;
    if (!placement) return [];
    return [...this.groups.values()]
      .map((g) => g.plan)
      .filter((plan) => placement.placed(plan))
      .map((plan) => ({ name: plan.name, instances: plan.instances, ...(plan.placement ? { placement: plan.placement } : {}) }));
  }

  has(name: string): boolean {
    return this.groups.has(name);
  }

  /** Drains and stops an actor, and forgets it. */
  async remove(name: string): Promise<void> {
    await this.group(name).stop();
    this.groups.delete(name);
    this.bundles.delete(name);
  }

  group(name: string): ActorGroup {
    const group = this.groups.get(name);
    if (!group) throw new NotFoundError(ErrorCode.ACTOR_NOT_FOUND, `no actor named "${name}" in this hub`, { details: { name } });
    return group;
  }

  names(): string[] {
    return [...this.groups.keys()];
  }

  private lastCheckAt = 0;

  private checkHealth(): void {
    const now = Date.now();
    const late = this.lastCheckAt > 0 && now - this.lastCheckAt > 2 * this.options.heartbeatMs;
    this.lastCheckAt = now;
    // When the hub's own loop was held up, heartbeats are still waiting in the pipes: silence
    // measured now would be the hub's, not the instances'. Look again next round.
    if (late) return;
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
