import type { KeyValueBucket } from "../../bus/index.ts";
import type { Logger } from "../../log/index.ts";
import { PLACEMENT_KEY, desiredCountKey, nodeRecordSchema, placementSchema, type Placement } from "../../protocol/index.ts";
import { placeInstances, type PlacementNode } from "./placement.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface PlacementDeciderOptions {
  /** The node records (nodes bucket). */
  nodes: KeyValueBucket;
  /** Where decisions and `fuse actors scale` counts are kept (placement bucket). */
  placement: KeyValueBucket;
  /** This node's name: who decided. */
  node: string;
  /** How often a decision is checked while this node decides. Default 1000. */
  intervalMs?: number;
  log: Logger;
  /** A monotonic clock in ms; default performance.now. */
  now?: () => number;
}

/**
 * Decides where instances run, while this node holds the placement lease: every interval it
 * reads the node records, tells live nodes from lost ones by its own clock (a record whose
 * revision has not changed for three of that node's intervals is lost, as is one a clean stop
 * marked; no two hosts' clocks are compared), and stores a new decision when it differs from
 * the one in force.
 */
export class PlacementDecider {
  private readonly seen = new Map<string, { revision: number; at: number }>();
  private names = new Set<string>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly options: PlacementDeciderOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Starts deciding (this node gained the lease). */
  activate(): void {
    if (this.timer) return;
    void this.round();
    this.timer = setInterval(() => void this.round(), this.options.intervalMs ?? 1000);
  }

  /** Stops deciding (the lease went to another node, or the hub stops). */
  deactivate(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    // A later term starts from a fresh view: an old quiet time says nothing of now.
    this.seen.clear();
  }

  /** One decision, if one is due; exposed for tests. */
  async round(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const [live, desired, previous] = await Promise.all([this.liveNodes(), this.desiredCounts(), this.current()]);
      // No node known to be live (a new decider whose first listing failed): nothing to decide,
      // and the decision in force keeps its placement to build on.
      if (!live.length) return;
      const actors = placeInstances({ nodes: live, desired, ...(previous ? { previous: previous.actors } : {}) });
      const nodes = live.map((n) => n.name).sort();
      if (previous && JSON.stringify([previous.actors, previous.nodes]) === JSON.stringify([actors, nodes])) return;
      const decision: Placement = { actors, nodes, by: this.options.node, at: Date.now() };
      await this.options.placement.put(PLACEMENT_KEY, encoder.encode(JSON.stringify(decision)));
      this.options.log.info({ nodes, actors }, "placement decided");
    } catch (err) {
      this.options.log.warn({ err }, "placement not decided this round");
    } finally {
      this.busy = false;
    }
  }

  private async liveNodes(): Promise<PlacementNode[]> {
    const now = this.now();
    const live: PlacementNode[] = [];
    // Listing keys runs a consumer, which may time out while the cluster re-elects after a node
    // loss (just when a decision is due): the names known from the last listing serve then.
    // A listing can also name a key twice when it is written meanwhile.
    this.names = await this.options.nodes.keys().then(
      (keys) => new Set(keys),
      () => this.names,
    );
    for (const key of this.names) {
      const entry = await this.options.nodes.get(key);
      if (!entry) continue;
      const parsed = nodeRecordSchema.safeParse(JSON.parse(decoder.decode(entry.value)));
      if (!parsed.success) continue;
      const record = parsed.data;
      const seen = this.seen.get(key);
      if (!seen || seen.revision !== entry.revision) this.seen.set(key, { revision: entry.revision, at: now });
      const quietMs = seen && seen.revision === entry.revision ? now - seen.at : 0;
      if (record.stopped || quietMs > record.intervalMs * 3) continue;
      live.push({ name: record.name, placeable: record.placeable ?? [] });
    }
    return live;
  }

  private async desiredCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const key of await this.options.placement.keys(desiredCountKey("*"))) {
      const entry = await this.options.placement.get(key);
      const count = entry ? Number(decoder.decode(entry.value)) : NaN;
      if (Number.isInteger(count) && count >= 0) counts[key.slice(desiredCountKey("").length)] = count;
    }
    return counts;
  }

  private async current(): Promise<Placement | undefined> {
    return readPlacement(this.options.placement);
  }
}

/** The decision in force, or undefined before the first. */
export async function readPlacement(bucket: KeyValueBucket): Promise<Placement | undefined> {
  const entry = await bucket.get(PLACEMENT_KEY);
  if (!entry) return undefined;
  const parsed = placementSchema.safeParse(JSON.parse(decoder.decode(entry.value)));
  return parsed.success ? parsed.data : undefined;
}
