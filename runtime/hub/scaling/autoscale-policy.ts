import type { AutoscaleConfig } from "../../config/index.ts";

export interface ScaleInput {
  current: number;
  /** Requests in flight now, summed over the actor's instances. */
  inflight: number;
  /** The highest in-flight count seen within the last `downCooldownMs`. */
  recentPeak: number;
  now: number;
  lastChangeAt: number;
}

const clamp = (n: number, c: AutoscaleConfig) => Math.max(c.min, Math.min(c.max, n));

/**
 * How many instances an autoscaled actor should have: enough for `targetInflight` requests
 * each. Up as soon as the load asks (after the up cooldown); down only when the peak of the
 * whole down cooldown allows it, so a pause between bursts does not shed instances. Pure.
 */
export function decideScale(input: ScaleInput, config: AutoscaleConfig): number {
  const since = input.now - input.lastChangeAt;
  const up = clamp(Math.ceil(input.inflight / config.targetInflight), config);
  if (up > input.current && since >= config.upCooldownMs) return up;
  const down = clamp(Math.ceil(input.recentPeak / config.targetInflight), config);
  if (down < input.current && since >= config.downCooldownMs) return down;
  // Outside the bounds (they were edited): back inside them at once.
  return clamp(input.current, config);
}
