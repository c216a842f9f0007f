export interface RestartPolicyOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Crashes within `windowMs` after which the instance is given up on (marked failed). */
  maxRestarts: number;
  windowMs: number;
}

export type RestartDecision = { action: "restart"; delayMs: number } | { action: "give-up"; crashes: number };

/**
 * What to do after a crash, given the times of the crashes so far (this one included):
 * restart after an exponentially growing delay, or give up on a crash loop. Pure.
 */
export function decideRestart(crashTimes: readonly number[], now: number, options: RestartPolicyOptions): RestartDecision {
  const recent = crashTimes.filter((t) => now - t <= options.windowMs).length;
  if (recent > options.maxRestarts) return { action: "give-up", crashes: recent };
  const exponent = Math.max(0, recent - 1);
  const delayMs = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** exponent);
  return { action: "restart", delayMs };
}
