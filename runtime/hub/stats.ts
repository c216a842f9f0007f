import type { NatsTransport } from "../bus/index.ts";
import { serviceStatsSubject } from "../protocol/index.ts";
import type { EndpointTotals } from "./actor-group.ts";

interface EndpointStatsReply {
  num_requests?: number;
  num_errors?: number;
  data?: { requests?: number; errors?: number; meanMs?: number } | null;
}

const GATHER_MS = 250;

/**
 * Request, error and latency totals per actor, summed over every instance's `$SRV.STATS`
 * reply (the SDK reports handler latency in each endpoint's `data`).
 */
export async function gatherStats(transport: NatsTransport): Promise<Map<string, EndpointTotals>> {
  const totals = new Map<string, { requests: number; errors: number; totalMs: number }>();
  try {
    await collect(transport, totals);
  } catch {
    // The bus is going away (the hub is stopping): report what was gathered.
  }
  return new Map(
    [...totals].map(([name, t]) => [
      name,
      { requests: t.requests, errors: t.errors, meanMs: t.requests ? +(t.totalMs / t.requests).toFixed(3) : 0 },
    ]),
  );
}

async function collect(transport: NatsTransport, totals: Map<string, { requests: number; errors: number; totalMs: number }>): Promise<void> {
  const replies = await transport.connection.requestMany(serviceStatsSubject(), "", {
    maxWait: GATHER_MS,
    strategy: "timer" as never,
  });
  for await (const reply of replies) {
    let stats: { name?: string; endpoints?: EndpointStatsReply[] };
    try {
      stats = reply.json();
    } catch {
      continue;
    }
    if (!stats.name) continue;
    const sum = totals.get(stats.name) ?? { requests: 0, errors: 0, totalMs: 0 };
    for (const e of stats.endpoints ?? []) {
      const requests = e.data?.requests ?? e.num_requests ?? 0;
      sum.requests += requests;
      sum.errors += e.data?.errors ?? e.num_errors ?? 0;
      sum.totalMs += (e.data?.meanMs ?? 0) * requests;
    }
    totals.set(stats.name, sum);
  }
}

const INFLIGHT_GATHER_MS = 150;

/** Requests in flight now over every instance of one actor, from `$SRV.STATS.<actor>`. */
export async function gatherInflight(transport: NatsTransport, actor: string): Promise<number> {
  let inflight = 0;
  const replies = await transport.connection.requestMany(serviceStatsSubject(actor), "", {
    maxWait: INFLIGHT_GATHER_MS,
    strategy: "timer" as never,
  });
  for await (const reply of replies) {
    try {
      const stats = reply.json<{ endpoints?: { data?: { inflight?: number } | null }[] }>();
      for (const e of stats.endpoints ?? []) inflight += e.data?.inflight ?? 0;
    } catch {
      // not a stats reply
    }
  }
  return inflight;
}
