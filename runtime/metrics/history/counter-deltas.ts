import type { CounterFigure } from "./read-figures.ts";

/**
 * Samples a series or a process may be missing (a process slow to answer one scrape, an
 * instance stopped) before it is forgotten; until then its last value is kept, so its next
 * answer is counted from there rather than from zero.
 */
const FORGET_AFTER_SAMPLES = 30;

/**
 * A restart shows as a new start time. It is rounded to the second when read, so a change of
 * one second may be the rounding: a counter that went down still tells those restarts.
 */
const RESTART_SECONDS = 2;

/**
 * How much each counter grew between two samples, Prometheus's `increase` without the
 * extrapolation. A counter never goes backwards: one that does, or whose process started again,
 * belongs to a restarted process and counts from zero. A series born since the previous sample
 * (a first call to a target, a first error code) counts all it has. The first sample is only the
 * baseline: what was counted before it cannot be placed in time. Memory is bounded by the series
 * the processes report, each kept for FORGET_AFTER_SAMPLES after it was last seen.
 */
export class CounterDeltas {
  private readonly last = new Map<string, { value: number; sample: number }>();
  private readonly processes = new Map<string, { started: number | undefined; sample: number }>();
  private sample = 0;
  /** When the baseline was taken (ms since the epoch). */
  private baselineAt: number | undefined;

  /**
   * The growth of each counter (by its key) since the previous call, or undefined for the first
   * call (the baseline). `started` gives a process's start time in seconds where known.
   */
  next(at: number, counters: readonly CounterFigure[], started: (process: string) => number | undefined): Map<string, number> | undefined {
    this.sample++;
    const baseline = this.baselineAt === undefined;
    this.baselineAt ??= at;
    const restarted = this.restartedProcesses(counters, started);
    const deltas = new Map<string, number>();
    for (const c of counters) {
      const prev = this.last.get(c.key);
      let delta: number;
      if (baseline) delta = 0;
      else if (restarted.has(c.process)) delta = c.value;
      else if (prev) delta = c.value >= prev.value ? c.value - prev.value : c.value;
      else delta = this.unseenProcess(c.process, started) ? 0 : c.value;
      deltas.set(c.key, delta);
      this.last.set(c.key, { value: c.value, sample: this.sample });
    }
    for (const process of new Set(counters.map((c) => c.process))) this.processes.set(process, { started: started(process), sample: this.sample });
    this.forget();
    return baseline ? undefined : deltas;
  }

  /** Processes whose start time moved since they were last seen: all their counters began again. */
  private restartedProcesses(counters: readonly CounterFigure[], started: (process: string) => number | undefined): Set<string> {
    const out = new Set<string>();
    for (const c of counters) {
      const was = this.processes.get(c.process)?.started;
      const now = started(c.process);
      if (was !== undefined && now !== undefined && Math.abs(now - was) >= RESTART_SECONDS) out.add(c.process);
    }
    return out;
  }

  /**
   * A process never seen, that started before the baseline: it missed the earlier samples, so
   * its counts hold history from before them that belongs to no interval. A process that
   * started since (or whose start time is unknown) counts from zero.
   */
  private unseenProcess(process: string, started: (process: string) => number | undefined): boolean {
    if (this.processes.has(process)) return false;
    const at = started(process);
    return at !== undefined && at * 1000 < this.baselineAt! - RESTART_SECONDS * 1000;
  }

  private forget(): void {
    const oldest = this.sample - FORGET_AFTER_SAMPLES;
    for (const [key, entry] of this.last) if (entry.sample < oldest) this.last.delete(key);
    for (const [process, entry] of this.processes) if (entry.sample < oldest) this.processes.delete(process);
  }
}
