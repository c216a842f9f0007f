import os from "node:os";
import type { KeyValueBucket, NatsTransport } from "../../bus/index.ts";
import type { Logger } from "../../log/index.ts";
import { CLUSTER_BUCKET_TTL_MS, ClusterLease, clusterBuckets, desiredCountKey, nodeHeartbeatSubject, nodeRecordSchema, nodeStatusOf, placementSubject, type ActorStatus, type HubInfo, type NodeRecord, type Placeable } from "../../protocol/index.ts";
import type { SchedulerOptions } from "../scaling/scheduler.ts";
import type { SupervisorPlacement } from "../supervision/supervisor.ts";
import type { ClusterSettings } from "./cluster-settings.ts";
import { KvLease } from "./kv-lease.ts";
import { LeasedScheduler } from "./leased-scheduler.ts";
import { NodeAnnouncer } from "./node-announcer.ts";
import { NodeLiveness } from "./node-liveness.ts";
import { PlacementDecider } from "./placement-decider.ts";
import { PlacementFollower } from "./placement-follower.ts";
import { claimTick } from "./tick-claims.ts";
import { whileJetStreamSettles } from "./jetstream-settling.ts";

interface Buckets {
  nodes: KeyValueBucket;
  leases: KeyValueBucket;
  ticks: KeyValueBucket;
  placement: KeyValueBucket;
}

/**
 * Opens the cluster's buckets, made with the cluster's replicas: until enough nodes are up for
 * a JetStream quorum (and R replicas) this fails, so it is retried; the node starts nothing
 * before the cluster can store.
 */
function openBuckets(transport: NatsTransport, prefix: string, log: Logger): Promise<Buckets> {
  const names = clusterBuckets(prefix);
  return whileJetStreamSettles("the cluster's buckets", async () => ({
    nodes: await transport.keyValue(names.nodes, { ttlMs: CLUSTER_BUCKET_TTL_MS.nodes }),
    leases: await transport.keyValue(names.leases),
    ticks: await transport.keyValue(names.ticks, { ttlMs: CLUSTER_BUCKET_TTL_MS.ticks }),
    placement: await transport.keyValue(names.placement),
  }), log);
}

export interface ClusterNodeStartOptions {
  info: HubInfo;
  /** This node's actors, as its supervisor sees them. */
  statuses(): Promise<ActorStatus[]>;
  /** The user actors this node can run, with their configured counts and constraints. */
  placeable(): Placeable[];
  /** Scales this node's instances of each named actor to its share of the placement. */
  applyShares(shares: Record<string, number>): Promise<void>;
}

/**
 * This hub as one node of a cluster: announces itself in the nodes bucket, runs its share of
 * every user actor's instances as the placement says, and runs the singletons it holds the
 * lease of (the schedules, the placement decision).
 */
export class ClusterNode {
  private lease: KvLease | undefined;
  private placementLease: KvLease | undefined;
  private follower: PlacementFollower | undefined;
  private announcer: NodeAnnouncer | undefined;
  private liveness: NodeLiveness | undefined;
  private scheduler: LeasedScheduler | undefined;

  private constructor(
    readonly settings: ClusterSettings,
    private readonly buckets: Buckets,
    private readonly transport: NatsTransport,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {}

  static async join(settings: ClusterSettings, transport: NatsTransport, prefix: string, log: Logger): Promise<ClusterNode> {
    const clusterLog = log.child({ mod: "hub.cluster" });
    const buckets = await openBuckets(transport, prefix, clusterLog);
    clusterLog.info({ node: settings.node, cluster: settings.name, replicas: settings.replicas }, "joined the cluster");
    return new ClusterNode(settings, buckets, transport, prefix, clusterLog);
  }

  /** The cron scheduler: runs only while this node holds the schedules lease, and each tick once cluster-wide. */
  createScheduler(options: SchedulerOptions): LeasedScheduler {
    this.scheduler = new LeasedScheduler({
      ...options,
      run: async (name, schedule) => {
        if (!(await claimTick(this.buckets.ticks, name, this.settings.node))) {
          this.log.info({ schedule: name }, "schedule tick already fired by another node");
          return;
        }
        await options.run(name, schedule);
      },
    });
    return this.scheduler;
  }

  /** Starts announcing and taking part in the leases; resolves with its stop. */
  async start(options: ClusterNodeStartOptions): Promise<() => Promise<void>> {
    const { settings } = this;
    this.announcer = new NodeAnnouncer({
      bucket: this.buckets.nodes,
      log: this.log,
      heartbeat: (record) => this.transport.publish(nodeHeartbeatSubject(this.prefix, record.name), JSON.stringify(record)),
      record: async () => ({
        name: settings.node,
        address: settings.address,
        cluster: settings.name,
        pid: process.pid,
        version: options.info.version,
        startedAt: options.info.startedAt,
        ...(options.info.gatewayUrl ? { gatewayUrl: options.info.gatewayUrl } : {}),
        load: os.loadavg()[0],
        leases: [...(this.lease?.held ? [ClusterLease.schedules] : []), ...(this.placementLease?.held ? [ClusterLease.placement] : [])],
        actors: await options.statuses(),
        placeable: options.placeable(),
      }),
    });
    this.lease = new KvLease({
      bucket: this.buckets.leases,
      key: ClusterLease.schedules,
      holder: settings.node,
      log: this.log,
      onGained: () => {
        this.scheduler?.activate();
        void this.announcer?.announce();
      },
      onLost: () => this.scheduler?.deactivate(),
    });
    // Every node keeps the view from its start, so a node that gains the lease decides at once.
    const liveness = new NodeLiveness({ transport: this.transport, prefix: this.prefix, intervalMs: this.announcer.intervalMs, log: this.log, onChange: () => decider.nudge() });
    this.liveness = liveness;
    const decider = new PlacementDecider({
      liveness,
      placement: this.buckets.placement,
      node: settings.node,
      log: this.log,
      term: () => this.placementLease?.term,
      publish: (decision) => this.transport.publish(placementSubject(this.prefix), JSON.stringify(decision)),
    });
    this.placementLease = new KvLease({
      bucket: this.buckets.leases,
      key: ClusterLease.placement,
      holder: settings.node,
      log: this.log,
      onGained: () => {
        decider.activate();
        void this.announcer?.announce();
      },
      onLost: () => decider.deactivate(),
    });
    this.follower = new PlacementFollower({ placement: this.buckets.placement, transport: this.transport, prefix: this.prefix, node: settings.node, apply: options.applyShares, log: this.log });
    liveness.start();
    await this.announcer.start();
    await this.follower.start();
    this.lease.start();
    this.placementLease.start();
    return async () => {
      this.follower?.stop();
      await this.placementLease?.stop();
      await this.lease?.stop();
      await this.announcer?.stop();
      this.liveness?.stop();
    };
  }

  /**
   * The live nodes' latest records (this node's included): from their heartbeats, or from the
   * nodes bucket while this node has not listened long enough to tell live from lost.
   */
  async liveNodes(): Promise<NodeRecord[]> {
    const heard = this.liveness?.live();
    if (heard) return heard;
    const now = Date.now();
    const records: NodeRecord[] = [];
    for (const key of new Set(await this.buckets.nodes.keys())) {
      const entry = await this.buckets.nodes.get(key);
      const parsed = entry && nodeRecordSchema.safeParse(JSON.parse(new TextDecoder().decode(entry.value)));
      if (parsed?.success && nodeStatusOf(parsed.data, now) === "up") records.push(parsed.data);
    }
    return records;
  }

  /**
   * What the supervisor needs of the placement: every user actor is placed (the built-ins run
   * on each node); `fuse actors scale` sets the actor's count for the whole cluster, and a
   * config edit of the count wins over an earlier scale (the node records carry the new one).
   */
  supervisorPlacement(): SupervisorPlacement {
    const key = (actor: string) => desiredCountKey(actor);
    return {
      placed: (plan) => !plan.builtin,
      count: async (actor, instances, from) => {
        if (from === "scale") await this.buckets.placement.put(key(actor), new TextEncoder().encode(String(instances)));
        else await this.buckets.placement.delete(key(actor));
        await this.announcer?.announce();
      },
    };
  }
}
