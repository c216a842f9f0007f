import type { Reply, Transport } from "../../bus/index.ts";
import { ServiceMeta, serviceStatsSubject } from "../../protocol/index.ts";
import type { EndpointTotals } from "./actor-group.ts";
import { GuardTotals, type GuardData } from "./guard-totals.ts";

interface EndpointStatsReply {
  name?: string;
  num_requests?: number;
  num_errors?: number;
  data?: ({ requests?: number; errors?: number; meanMs?: number; inflight?: number; keyed?: { keys?: number } } & GuardData) | null;
}

interface StatsReply {
  name?: string;
  metadata?: Record<string, string> | null;
  endpoints?: EndpointStatsReply[];
}

const decoder = new TextDecoder();

/** Every instance's `$SRV.STATS` answer (none when the bus is going away). */
async function statsReplies(transport: Transport, actor: string | undefined, timeoutMs: number): Promise<StatsReply[]> {
  let replies: Reply[];
  try {
    replies = await transport.gather(serviceStatsSubject(actor), "", { timeoutMs });
  } catch {
    return [];
  }
  return replies.flatMap((r) => {
    try {
      return [JSON.parse(decoder.decode(r.data)) as StatsReply];
    } catch {
      return [];
    }
  });
}

/**
 * Request, error and latency totals per actor, summed over every instance's `$SRV.STATS`
 * reply (the SDK reports handler latency in each endpoint's `data`).
 */
export async function gatherStats(transport: Transport, node?: string): Promise<Map<string, EndpointTotals>> {
  const totals = new Map<string, { requests: number; errors: number; totalMs: number; keysByInstance?: Record<number, number>; guards?: GuardTotals }>();
  for (const stats of await statsReplies(transport, undefined, 250)) {
    if (!stats.name) continue;
    // A cluster's bus reaches every node's instances: a node's figures are those of its own.
    if (node !== undefined && stats.metadata?.[ServiceMeta.node] !== node) continue;
    const sum = totals.get(stats.name) ?? { requests: 0, errors: 0, totalMs: 0 };
    (sum.guards ??= new GuardTotals()).add(Number(stats.metadata?.[ServiceMeta.instance] ?? 0), stats.endpoints ?? []);
    // A keyed instance reports its keys in memory with every endpoint: counted once per instance.
    const keys = stats.endpoints?.[0]?.data?.keyed?.keys;
    if (keys !== undefined) (sum.keysByInstance ??= {})[Number(stats.metadata?.[ServiceMeta.instance] ?? 0)] = keys;
    for (const e of stats.endpoints ?? []) {
      const requests = e.data?.requests ?? e.num_requests ?? 0;
      sum.requests += requests;
      sum.errors += e.data?.errors ?? e.num_errors ?? 0;
      sum.totalMs += (e.data?.meanMs ?? 0) * requests;
    }
    totals.set(stats.name, sum);
  }
  return new Map(
    [...totals].map(([name, t]) => [
      name,
      { requests: t.requests, errors: t.errors, meanMs: t.requests ? +(t.totalMs / t.requests).toFixed(3) : 0, ...(t.keysByInstance ? { keysByInstance: t.keysByInstance } : {}), ...guardsOf(t.guards) },
    ]),
  );
}

function guardsOf(guards: GuardTotals | undefined): Pick<EndpointTotals, "guards"> {
  const result = guards?.result();
  return result ? { guards: result } : {};
}

/** Requests in flight now over every instance of one actor, from `$SRV.STATS.<actor>`. */
export async function gatherInflight(transport: Transport, actor: string): Promise<number> {
  let inflight = 0;
  for (const stats of await statsReplies(transport, actor, 150)) for (const e of stats.endpoints ?? []) inflight += e.data?.inflight ?? 0;
  return inflight;
}
