export interface HealthOptions {
  busyLagMs: number;
  hangTimeoutMs: number;
}

export type Health = "ok" | "busy" | "hung";

/**
 * Tells a busy instance from a hung one. The watchdog thread of each instance reports how
 * long its main loop has not ticked (`lagMs`); a long CPU-bound handler makes the lag grow
 * and then recover, a hang makes it grow past the timeout. Silence of the watchdog itself
 * (the whole process stopped) counts as lag too. Pure.
 */
export function assessHealth(lastHeartbeatAt: number, lagMs: number, now: number, options: HealthOptions): Health {
  const silence = now - lastHeartbeatAt;
  const lag = Math.max(lagMs, silence);
  if (lag >= options.hangTimeoutMs) return "hung";
  return lag >= options.busyLagMs ? "busy" : "ok";
}
