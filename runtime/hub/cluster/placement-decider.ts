import type { KeyValueBucket } from "../../bus/index.ts";
import type { Logger } from "../../log/index.ts";
import { PLACEMENT_KEY, desiredCountKey, placementSchema, type NodeRecord, type Placement } from "../../protocol/index.ts";
import { placeInstances, type PlacementNode } from "./placement.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface PlacementDeciderOptions {
  /** Which nodes are live, with their records (node-liveness.ts); undefined while it cannot tell yet. */
  liveness: { live(): NodeRecord[] | undefined };
  /** Where decisions and `fuse actors scale` counts are kept (placement bucket). */
  placement: KeyValueBucket;
  /** This node's name: who decided. */
  node: string;
  /** The placement lease's revision while this node holds it: the decisions' term. */
  term(): number | undefined;
  /** Publishes a decision on plain NATS, where followers take it without waiting on JetStream. */
  publish(decision: Placement): void;
  /** How often a decision is checked while this node decides. Default 1000. */
  intervalMs?: number;
  log: Logger;
}

/** Every this many rounds the scale counts are listed again, in case their watch missed one. */
const RELIST_ROUNDS = 30;

/**
 * Decides where instances run, while this node holds the placement lease: every interval (and
 * at once when a node is lost or joins) it takes the live nodes from the heartbeat view, and
 * when the placement changes it publishes the decision on plain NATS (followers apply it at
 * once, also while JetStream re-elects after a loss) and stores it, stamped with the lease's
 * revision as its term so that no follower ever goes back to an older one. The `fuse actors scale` counts
 * are listed once per term and then followed by a watch: listing runs a JetStream consumer,
 * which a cluster creates through its metadata leader, too dear to do every second.
 */
export class PlacementDecider {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private again = false;
  private rounds = 0;
  private desired: Map<string, number> | undefined;
  private stopWatch: (() => void) | undefined;
  /** This term's last decision. */
  private last: Placement | undefined;

  constructor(private readonly options: PlacementDeciderOptions) {}

  /** Starts deciding (this node gained the lease). */
  activate(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.round(), this.options.intervalMs ?? 1000);
    const follow = (key: string, value: Uint8Array | undefined) => {
      if (this.desired) setCount(this.desired, key, value);
    };
    this.options.placement.watch(desiredCountKey("*"), (key, entry) => follow(key, entry?.value)).then(
      (stop) => (this.timer ? (this.stopWatch = stop) : stop()),
      (err: unknown) => this.options.log.warn({ err }, "scale counts not watched; listed every round instead"),
    );
    void this.round();
  }

  /** Stops deciding (the lease went to another node, or the hub stops). */
  deactivate(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopWatch?.();
    this.stopWatch = undefined;
    this.desired = undefined;
    this.last = undefined;
  }

  /** A node was lost, came back or joined: decide now rather than at the next interval. */
  nudge(): void {
    if (this.timer) void this.round();
  }

  /** One decision, if one is due; exposed for tests. */
  async round(): Promise<void> {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      const records = this.options.liveness.live();
      // No view yet (this node started less than three intervals ago), or no node known to be
      // live: nothing to decide, and the decision in force keeps its placement to build on.
      if (!records?.length) return;
      const live: PlacementNode[] = records.map((r) => ({ name: r.name, placeable: r.placeable ?? [] }));
      const term = this.options.term();
      if (term === undefined) return;
      // While JetStream re-elects after a loss these reads may fail: the counts known and this
      // term's last decision serve then, and the decision still goes out on plain NATS.
      const [desired, stored] = await Promise.all([this.desiredCounts(), readPlacement(this.options.placement).catch(() => undefined)]);
      // The decision this node made last is newer than a stored one read from a lagging replica.
      const previous = this.last && (this.last.term ?? 0) >= (stored?.term ?? 0) ? this.last : stored;
      const actors = placeInstances({ nodes: live, desired, ...(previous ? { previous: previous.actors } : {}) });
      const nodes = live.map((n) => n.name).sort();
      if (previous && JSON.stringify([previous.actors, previous.nodes]) === JSON.stringify([actors, nodes])) {
        // Said again every round: a follower that missed it (or joined since) takes it from here.
        this.options.publish(previous);
        return;
      }
      const decision: Placement = { actors, nodes, by: this.options.node, at: Date.now(), term };
      this.last = decision;
      this.options.publish(decision);
      this.options.log.info({ nodes, actors, term }, "placement decided");
      await this.options.placement.put(PLACEMENT_KEY, encoder.encode(JSON.stringify(decision))).catch((err: unknown) => {
        // Published already; stored by a later round (this one is compared with `last` then).
        this.options.log.warn({ err }, "placement decision not stored");
        this.last = undefined;
      });
    } catch (err) {
      this.options.log.warn({ err }, "placement not decided this round");
    } finally {
      this.busy = false;
      if (this.again) {
        this.again = false;
        void this.round();
      }
    }
  }

  private async desiredCounts(): Promise<Record<string, number>> {
    if (!this.desired || !this.stopWatch || ++this.rounds % RELIST_ROUNDS === 0) {
      try {
        const counts = new Map<string, number>();
        for (const key of await this.options.placement.keys(desiredCountKey("*"))) setCount(counts, key, (await this.options.placement.get(key))?.value);
        this.desired = counts;
      } catch (err) {
        // The counts known serve until a listing succeeds; none known, nothing is decided.
        if (!this.desired) throw err;
      }
    }
    return Object.fromEntries(this.desired);
  }
}

function setCount(counts: Map<string, number>, key: string, value: Uint8Array | undefined): void {
  const actor = key.slice(desiredCountKey("").length);
  const count = value ? Number(decoder.decode(value)) : NaN;
  if (Number.isInteger(count) && count >= 0) counts.set(actor, count);
  else counts.delete(actor);
}

/** The decision in force, or undefined before the first. */
export async function readPlacement(bucket: KeyValueBucket): Promise<Placement | undefined> {
  const entry = await bucket.get(PLACEMENT_KEY);
  if (!entry) return undefined;
  const parsed = placementSchema.safeParse(JSON.parse(decoder.decode(entry.value)));
  return parsed.success ? parsed.data : undefined;
}
