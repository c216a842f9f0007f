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

/**
 * Converges this node on the placement decision in force: reads it at start, then follows
 * every change. Applies one at a time; a decision that arrives meanwhile replaces any not yet
 * applied, since only the latest counts.
 */
export class PlacementFollower {
  private stopWatch: (() => void) | undefined;
  private applying: Promise<void> | undefined;
  private pending: Placement | undefined;

  constructor(private readonly options: PlacementFollowerOptions) {}

  async start(): Promise<void> {
    this.stopWatch = await this.options.placement.watch(PLACEMENT_KEY, () => void this.refresh());
    await this.refresh();
  }

  stop(): void {
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
        const shares = Object.fromEntries(Object.entries(decision.actors).map(([actor, perNode]) => [actor, perNode[this.options.node] ?? 0]));
        await this.options.apply(shares).catch((err: unknown) => this.options.log.warn({ err }, "placement not applied"));
      }
    } finally {
      this.applying = undefined;
    }
  }
}
