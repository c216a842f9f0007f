import { NatsTransport } from "../../bus/index.ts";
import { UnavailableError } from "../../errors/index.ts";
import { ErrorCode, clusterBuckets, nodeRecordSchema, nodeStatusOf, type ActorStatus, type NodeRecord, type NodeStatus } from "../../protocol/index.ts";
import { withBus } from "../hub-client.ts";

export interface NodeView {
  name: string;
  address: string;
  status: NodeStatus;
  actors: number;
  instances: number;
  load: number | null;
  leases: string[];
  lastSeen: number;
  gatewayUrl?: string;
  version: string;
  pid: number;
  /** Its actors as its supervisor saw them at `lastSeen`. */
  actorStatuses: ActorStatus[];
}

const decoder = new TextDecoder();

function viewOf(record: NodeRecord, now: number): NodeView {
  const users = record.actors.filter((a) => a.kind === "actor" || a.kind === "process");
  return {
    name: record.name,
    address: record.address,
    status: nodeStatusOf(record, now),
    actors: users.filter((a) => a.running > 0).length,
    instances: record.actors.reduce((sum, a) => sum + a.running, 0),
    load: record.load ?? null,
    leases: record.leases,
    lastSeen: record.at,
    ...(record.gatewayUrl ? { gatewayUrl: record.gatewayUrl } : {}),
    version: record.version,
    pid: record.pid,
    actorStatuses: record.actors,
  };
}

/**
 * Every node of the cluster the hub of `dir` belongs to, from the nodes bucket each node
 * writes itself into; sorted by name.
 * @throws HUB_NOT_RUNNING without a hub; CONFIG_INVALID-free UNAVAILABLE when the hub is not a cluster node.
 */
export async function readNodes(dir: string): Promise<NodeView[]> {
  return withBus(dir, async (connection, state) => {
    if (!state.cluster) throw new UnavailableError(`the hub of ${dir} is not a cluster node (no cluster: in config/fuse.yaml)`, { code: ErrorCode.NO_LIVE_INSTANCE });
    const bucket = await new NatsTransport(connection).keyValue(clusterBuckets(state.prefix).nodes);
    const now = Date.now();
    const views: NodeView[] = [];
    // Listing keys needs a consumer, which can time out once while the cluster re-elects after a node loss.
    // (A listing may also name a key twice when it is written meanwhile.)
    const keys = new Set(await bucket.keys().catch(() => bucket.keys()));
    for (const key of keys) {
      const entry = await bucket.get(key);
      if (!entry) continue;
      const parsed = nodeRecordSchema.safeParse(JSON.parse(decoder.decode(entry.value)));
      if (parsed.success) views.push(viewOf(parsed.data, now));
    }
    return views.sort((a, b) => a.name.localeCompare(b.name));
  });
}
