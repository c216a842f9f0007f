import type { KeyValueBucket } from "../../bus/index.ts";
import type { Logger } from "../../log/index.ts";
import { PLACEMENT_KEY, type Placement } from "../../protocol/index.ts";
import { readPlacement } from "./placement-decider.ts";

export interface PlacementFollowerOptions {
  placement: KeyValueBucket;
  node: string;
  /** Scales this node's instances of each actor the decision names to its share (0 when the node is left out). */
  apply(shares: Record<string, number>): Promise<void>;
  log: Logger;
}

/** How often the decision is read again besides the watch (a watch can stall while JetStream re-elects; a read is one direct get). */
const REREAD_MS = 2000;

/**
 * Converges this node on the placement decision in force: reads it at start, then follows
 * every change, and reads it again now and then in case a change was missed. Applies one at a
 * time; a decision that arrives meanwhile replaces any not yet applied, since only the latest
 * counts. Only the shares that changed are applied: scaling a group again would also revive
 * instances the supervisor gave up on after a crash loop.
 */
export class PlacementFollower {
  private stopWatch: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private applying: Promise<void> | undefined;
  private pending: Placement | undefined;
  /** The share last applied per actor. */
  private readonly applied = new Map<string, number>();

  constructor(private readonly options: PlacementFollowerOptions) {}

  async start(): Promise<void> {
    this.stopWatch = await this.options.placement.watch(PLACEMENT_KEY, () => void this.refresh());
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REREAD_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.stopWatch?.();
  }

  private async refresh(): Promise<void> {
    const decision = await readPlacement(this.options.placement).catch(() => undefined);
    if (!decision) return;
    this.pending = decision;
    this.applying ??= this.drain();
    await this.applying;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending) {
        const decision = this.pending;
        this.pending = undefined;
        const changed = Object.entries(decision.actors)
          .map(([actor, perNode]) => [actor, perNode[this.options.node] ?? 0] as const)
          .filter(([actor, share]) => this.applied.get(actor) !== share);
        if (!changed.length) continue;
        try {
          await this.options.apply(Object.fromEntries(changed));
          for (const [actor, share] of changed) this.applied.set(actor, share);
        } catch (err) {
          this.options.log.warn({ err }, "placement not applied");
        }
      }
    } finally {
      this.applying = undefined;
    }
  }
}
