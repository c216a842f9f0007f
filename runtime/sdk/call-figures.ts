import type { ActorMetrics, EndpointMetrics } from "../metrics/index.ts";

/** Distinct targets labelled one by one; a caller that builds targets from its input gets the rest as one. */
const MAX_TARGETS = 200;
const OTHER_TARGET = "other";

/**
 * The client side of `ctx.call` in the metrics: each call's outcome (OK or the error code it
 * ends with, retries and breaker included) and how long the caller waited, by target.
 */
export class CallFigures {
  private readonly byTarget = new Map<string, EndpointMetrics>();

  constructor(private readonly metrics: ActorMetrics) {}

  /** The figures of calls to `target` (`actor.endpoint`). */
  of(target: string): EndpointMetrics {
    let figures = this.byTarget.get(target);
    if (!figures) {
      figures = this.byTarget.size < MAX_TARGETS ? this.metrics.callsTo(target) : (this.byTarget.get(OTHER_TARGET) ?? this.metrics.callsTo(OTHER_TARGET));
      this.byTarget.set(this.byTarget.size < MAX_TARGETS ? target : OTHER_TARGET, figures);
    }
    return figures;
  }
}
