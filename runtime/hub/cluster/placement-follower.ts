import type { KeyValueBucket, Transport } from "../../bus/index.ts";
import type { Logger } from "../../log/index.ts";
import { PLACEMENT_KEY, placementSchema, placementSubject, type Placement } from "../../protocol/index.ts";
import { readPlacement } from "./placement-decider.ts";

const decoder = new TextDecoder();

export interface PlacementFollowerOptions {
  placement: KeyValueBucket;
  /** Where the decider publishes decisions on plain NATS. */
  transport: Pick<Transport, "subscribe">;
  prefix: string;
  node: string;
  /** Scales this node's instances of each actor the decision names to its share (0 when the node is left out). */
  apply(shares: Record<string, number>): Promise<void>;
  log: Logger;
}

/** How often the stored decision is read again besides the watch and the published ones (one direct get). */
const REREAD_MS = 2000;

/**
 * Converges this node on the placement decision in force: takes each decision the decider
 * publishes on plain NATS (at once, also while JetStream re-elects after a node loss), and
 * reads the stored one at start, on its watch and now and then. A decision whose term is
 * below the newest seen is passed over, so a stored copy read late never undoes a newer
 * one. Applies one at a time; a decision that arrives meanwhile replaces any not yet
 * applied, since only the latest counts. Only the shares that changed are applied: scaling
 * a group again would also revive instances the supervisor gave up on after a crash loop.
 */
export class PlacementFollower {
  private stopWatch: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private applying: Promise<void> | undefined;
  private pending: Placement | undefined;
  private newestTerm = -1;
  /** The share last applied per actor. */
  private readonly applied = new Map<string, number>();

  constructor(private readonly options: PlacementFollowerOptions) {}

  async start(): Promise<void> {
    this.unsubscribe = this.options.transport.subscribe(placementSubject(this.options.prefix), (message) => {
      try {
        const parsed = placementSchema.safeParse(JSON.parse(decoder.decode(message.data)));
        if (parsed.success) void this.consider(parsed.data);
      } catch {
        // Not a decision: passed over.
      }
    });
    // The watch only hastens what the rereads do: a JetStream that does not answer yet (a
    // cluster electing its leaders) does not stop the node from starting.
    this.stopWatch = await this.options.placement.watch(PLACEMENT_KEY, () => void this.refresh()).catch((err: unknown) => {
      this.options.log.warn({ err }, `placement not watched, read every ${REREAD_MS} ms instead`);
      return undefined;
    });
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REREAD_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.stopWatch?.();
    this.unsubscribe?.();
  }

  private async refresh(): Promise<void> {
    const decision = await readPlacement(this.options.placement).catch((err: unknown) => void this.options.log.debug({ err }, "placement not read"));
    if (decision) await this.consider(decision);
  }

  /** Takes a decision unless a newer one was seen; exposed for tests. */
  async consider(decision: Placement): Promise<void> {
    const term = decision.term ?? 0;
    if (term < this.newestTerm) return;
    this.newestTerm = term;
    this.pending = decision;
    // Cleared once settled, never inside drain: a drain with nothing to apply ends before its
    // promise is even stored, and clearing it there left a settled promise in place for good,
    // so no later decision was ever applied.
    this.applying ??= this.drain().finally(() => (this.applying = undefined));
    await this.applying;
  }

  private async drain(): Promise<void> {
    while (this.pending) {
      const decision = this.pending;
      this.pending = undefined;
      const changed = Object.entries(decision.actors)
        .map(([actor, perNode]) => [actor, perNode[this.options.node] ?? 0] as const)
        .filter(([actor, share]) => this.applied.get(actor) !== share);
      if (!changed.length) continue;
      const shares = Object.fromEntries(changed);
      try {
        this.options.log.info({ shares, by: decision.by, term: decision.term }, "placement applying");
        await this.options.apply(shares);
        for (const [actor, share] of changed) this.applied.set(actor, share);
        this.options.log.info({ shares }, "placement applied");
      } catch (err) {
        this.options.log.warn({ err }, "placement not applied");
      }
    }
  }
}
