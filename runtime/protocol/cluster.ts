/**
 * A hub on several hosts: the JetStream buckets its nodes share and what each node says of
 * itself there. Nodes announce themselves by writing a record in a replicated KV bucket
 * (no membership protocol of Fuse's own); singletons are held by revision-checked leases.
 */
import { z } from "zod";
import { actorStatusSchema } from "./contracts/hub.ts";
import { placeableSchema } from "./placement.ts";
import { CONTROL_PREFIX } from "./subjects.ts";

/**
 * The cluster's buckets: node records (kept a day after their last write), singleton leases,
 * claimed schedule ticks (kept an hour), and the placement of instances (placement.ts).
 */
export function clusterBuckets(prefix: string): { nodes: string; leases: string; ticks: string; placement: string } {
  return { nodes: `${prefix}-cluster-nodes`, leases: `${prefix}-cluster-leases`, ticks: `${prefix}-cluster-ticks`, placement: `${prefix}-cluster-placement` };
}

/**
 * Where a node publishes its record every interval on plain NATS (no JetStream), for the
 * other nodes to tell live from lost while JetStream re-elects after a loss; `*` for all.
 */
export function nodeHeartbeatSubject(prefix: string, node: string): string {
  return `${CONTROL_PREFIX}.cluster.${prefix}.node.${node}`;
}

/**
 * Where one node's hub answers its control endpoints (`hub.restart`, `hub.list`, …) besides
 * the hub's queue group: a request here reaches that node alone (`fuse actors restart x --node b`).
 */
export function hubNodeSubject(prefix: string, node: string, endpoint: string): string {
  return `${CONTROL_PREFIX}.cluster.${prefix}.hub.${node}.${endpoint}`;
}

/** Where the placement's decider publishes each decision on plain NATS, besides storing it. */
export function placementSubject(prefix: string): string {
  return `${CONTROL_PREFIX}.cluster.${prefix}.placement`;
}

export const CLUSTER_BUCKET_TTL_MS = { nodes: 24 * 3600_000, ticks: 3600_000 } as const;

/** Singletons held by lease: one holder cluster-wide. */
export const ClusterLease = { schedules: "schedules", placement: "placement" } as const;

export const NODE_STATUSES = ["up", "lost", "stopped"] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

/** What a node writes of itself under its name in the nodes bucket, every `intervalMs`. */
export const nodeRecordSchema = z.object({
  name: z.string(),
  /** host:port where the other nodes reach its routes. */
  address: z.string(),
  cluster: z.string(),
  pid: z.number(),
  version: z.string(),
  startedAt: z.number(),
  /** Epoch ms of this write, by the node's clock (hosts' clocks are expected in step, e.g. NTP). */
  at: z.number(),
  intervalMs: z.number(),
  /** Written once at a clean stop. */
  stopped: z.boolean().optional(),
  gatewayUrl: z.string().optional(),
  /** The host's load average over a minute. */
  load: z.number().optional(),
  /** Leases this node holds. */
  leases: z.array(z.string()),
  actors: z.array(actorStatusSchema),
  /** The user actors this node can run (their modules are in its folder), as its config sets them. */
  placeable: z.array(placeableSchema).optional(),
});
export type NodeRecord = z.infer<typeof nodeRecordSchema>;

/** A record's status as seen at `now`: lost after three intervals without a write. */
export function nodeStatusOf(record: NodeRecord, now: number): NodeStatus {
  if (record.stopped) return "stopped";
  return now - record.at > record.intervalMs * 3 ? "lost" : "up";
}
