import type { ReceivedStatusLine } from "../../protocol/index.ts";
import { assessHealth, hangReason, type HealthOptions } from "../supervision/health.ts";

export interface ProbeAnswer {
  ok: boolean;
  /** Why, in a few words: shown in the probe's body, so `kubectl describe pod` tells the cause. */
  reason: string;
}

/**
 * The probes of one actor process, from the same status lines on fd 3 and the same busy/hung
 * rule (supervision/health.ts) the hub applies to its instances. Live: the watchdog thread's
 * heartbeats flow and the main loop is not hung (busy is still live: a long CPU-bound handler
 * must not get the pod restarted). Ready: the process has subscribed and flushed (its `ready`
 * line), is not hung, and is not draining. Pure apart from the clock passed in.
 */
export class PodHealth {
  private lastHeartbeatAt: number;
  private lagMs = 0;
  private ready = false;
  private draining = false;
  private fatal: string | undefined;

  constructor(private readonly options: HealthOptions, startedAt: number) {
    this.lastHeartbeatAt = startedAt;
  }

  /** Takes one status line the process wrote on fd 3. */
  observe(raw: unknown, now: number): void {
    const line = raw as ReceivedStatusLine;
    if (line.type === "heartbeat") {
      this.lastHeartbeatAt = now;
      // Loading and compiling the module blocks the main loop before ready; that is not a hang.
      if (this.ready) this.lagMs = line.lagMs ?? 0;
    } else if (line.type === "ready") {
      this.ready = true;
      this.lagMs = 0;
      this.lastHeartbeatAt = now;
    } else if (line.type === "fatal") {
      this.fatal = `${line.code}: ${line.message}`;
    }
  }

  /** From SIGTERM on: not ready, so no rolling update counts on this pod any more. */
  startDraining(): void {
    this.draining = true;
  }

  /** The fatal line the process wrote before it exited, if any. */
  get fatalReason(): string | undefined {
    return this.fatal;
  }

  live(now: number): ProbeAnswer {
    if (this.fatal) return { ok: false, reason: `fatal: ${this.fatal}` };
    // Before ready the module is loading: the start-up probe's time, not liveness's.
    if (!this.ready) return { ok: true, reason: "starting" };
    const health = assessHealth(this.lastHeartbeatAt, this.lagMs, now, this.options);
    if (health === "hung") return { ok: false, reason: hangReason(this.lastHeartbeatAt, this.lagMs, now, this.options) };
    return { ok: true, reason: health };
  }

  readiness(now: number): ProbeAnswer {
    if (this.draining) return { ok: false, reason: "draining" };
    if (!this.ready) return { ok: false, reason: this.fatal ? `fatal: ${this.fatal}` : "starting" };
    const live = this.live(now);
    return live.ok ? { ok: true, reason: live.reason } : live;
  }
}
