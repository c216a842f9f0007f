export interface HealthOptions {
  busyLagMs: number;
  hangTimeoutMs: number;
  /** Heartbeat silence after which the whole process is taken for stopped or frozen. */
  silenceTimeoutMs: number;
}

export type Health = "ok" | "busy" | "hung";

/**
 * Tells a busy instance from a hung one. The watchdog thread of each instance reports how
 * long its main loop has not ticked (`lagMs`) and keeps reporting while the loop is busy: a
 * long CPU-bound handler makes the lag grow and then recover, a hang makes it grow past
 * `hangTimeoutMs`. Silence of the watchdog itself means the whole process is stopped
 * (SIGSTOP), frozen or starved: it serves nothing, so it is hung after the much shorter
 * `silenceTimeoutMs`, not busy. Pure.
 */
export function assessHealth(lastHeartbeatAt: number, lagMs: number, now: number, options: HealthOptions): Health {
  const silence = now - lastHeartbeatAt;
  if (silence >= options.silenceTimeoutMs || lagMs >= options.hangTimeoutMs) return "hung";
  return Math.max(lagMs, silence) >= options.busyLagMs ? "busy" : "ok";
}

/** Why a hung instance was killed, for its last exit. */
export function hangReason(lastHeartbeatAt: number, lagMs: number, now: number, options: HealthOptions): string {
  const silence = now - lastHeartbeatAt;
  if (silence >= options.silenceTimeoutMs) return `hung: no heartbeat for ${silence} ms (stopped or frozen process)`;
  return `hung: main loop blocked for ${lagMs} ms`;
}
