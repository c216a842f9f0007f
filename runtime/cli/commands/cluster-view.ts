import { NatsTransport } from "../../bus/index.ts";
import { UnavailableError } from "../../errors/index.ts";
import { ErrorCode, clusterBuckets, nodeHeartbeatSubject, nodeRecordSchema, nodeStatusOf, type ActorStatus, type NodeRecord, type NodeStatus } from "../../protocol/index.ts";
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
    const transport = new NatsTransport(connection);
    const now = Date.now();
    // Listing keys needs a consumer, which times out while JetStream re-elects after a node
    // loss: the live nodes' heartbeats (plain NATS) answer then, lost nodes left out.
    // (A listing may also name a key twice when it is written meanwhile.)
    const listed = await (async () => {
      const bucket = await transport.keyValue(clusterBuckets(state.prefix).nodes);
      const keys = new Set(await bucket.keys().catch(() => bucket.keys()));
      const records: NodeRecord[] = [];
      for (const key of keys) {
        const entry = await bucket.get(key);
        const parsed = entry && nodeRecordSchema.safeParse(JSON.parse(decoder.decode(entry.value)));
        if (parsed?.success) records.push(parsed.data);
      }
      return records;
    })().catch(() => undefined);
    const views = (listed ?? (await heardRecords(transport, state.prefix))).map((r) => viewOf(r, now));
    return views.sort((a, b) => a.name.localeCompare(b.name));
  });
}

/** Nodes announce every second by default. */
const HEARD_FOR_MS = 1500;

/** The records the live nodes publish as heartbeats within one and a half of their intervals. */
async function heardRecords(transport: NatsTransport, prefix: string): Promise<NodeRecord[]> {
  const heard = new Map<string, NodeRecord>();
  const stop = transport.subscribe(nodeHeartbeatSubject(prefix, "*"), (message) => {
    try {
      const parsed = nodeRecordSchema.safeParse(JSON.parse(decoder.decode(message.data)));
      if (parsed.success) heard.set(parsed.data.name, parsed.data);
    } catch {
      // Not a record: not a node.
    }
  });
  await new Promise((r) => setTimeout(r, HEARD_FOR_MS));
  stop();
  return [...heard.values()];
}
