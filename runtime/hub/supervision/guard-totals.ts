import type { ActorStatus } from "../../protocol/index.ts";

type ActorGuards = NonNullable<ActorStatus["guards"]>;
type CircuitState = ActorGuards["circuits"][number]["state"];

/** An endpoint's guard figures in one instance's `$SRV.STATS` reply (the SDK's `data`). */
export interface GuardData {
  bulkhead?: { running?: number; queued?: number; rejected?: number };
  circuits?: { target?: string; state?: CircuitState; rejected?: number; openedAt?: number }[];
}

const SEVERITY: Record<CircuitState, number> = { closed: 0, "half-open": 1, open: 2 };

/**
 * Sums an actor's bulkheads per endpoint and its circuits per target over its instances'
 * `$SRV.STATS` replies, for `hub.list` (`fuse actors ls`, the dashboard). A caller reports its
 * circuits with each endpoint, so they are read once per instance.
 */
export class GuardTotals {
  private readonly bulkheads = new Map<string, ActorGuards["bulkheads"][number]>();
  private readonly circuits = new Map<string, ActorGuards["circuits"][number]>();

  /** One instance's reply: its endpoints' figures, by endpoint name. */
  add(instance: number, endpoints: { name?: string; data?: GuardData | null }[]): void {
    for (const e of endpoints) {
      const b = e.data?.bulkhead;
      if (!b || !e.name) continue;
      const sum = this.bulkheads.get(e.name) ?? { endpoint: e.name, running: 0, queued: 0, overloaded: 0 };
      sum.running += b.running ?? 0;
      sum.queued += b.queued ?? 0;
      sum.overloaded += b.rejected ?? 0;
      this.bulkheads.set(e.name, sum);
    }
    for (const c of endpoints[0]?.data?.circuits ?? []) {
      if (!c.target || !c.state) continue;
      const sum = this.circuits.get(c.target) ?? { target: c.target, state: "closed" as CircuitState, rejected: 0, openOn: [] };
      sum.rejected += c.rejected ?? 0;
      if (SEVERITY[c.state] > SEVERITY[sum.state]) sum.state = c.state;
      if (c.state !== "closed") {
        sum.openOn.push(instance);
        if (c.openedAt !== undefined) sum.openedAt = Math.max(sum.openedAt ?? 0, c.openedAt);
      }
      this.circuits.set(c.target, sum);
    }
  }

  /** The actor's guards, or undefined when it has no bulkhead and holds no circuit. */
  result(): ActorGuards | undefined {
    if (!this.bulkheads.size && !this.circuits.size) return undefined;
    const byName = <T>(items: Iterable<T>, name: (t: T) => string) => [...items].sort((a, b) => name(a).localeCompare(name(b)));
    return {
      bulkheads: byName(this.bulkheads.values(), (b) => b.endpoint),
      circuits: byName(this.circuits.values(), (c) => c.target).map((c) => ({ ...c, openOn: c.openOn.sort((a, b) => a - b) })),
    };
  }
}
