// Rounds of every system of a benchmark: each round in a rotated order (round r starts with
// system r), a pause between systems, and a run that errs or answers anything but success
// recorded as failed, never dropped silently.
import { settings } from "./settings.ts";

export interface Run<TMetrics> {
  system: string;
  round: number;
  /** Absent when the run failed before it measured anything. */
  metrics?: TMetrics;
  /** Why the run does not count (non-2xx responses, errors, a crashed process). */
  failure?: string;
}

export interface Measured<TMetrics> {
  metrics: TMetrics;
  failure?: string;
}

export interface RoundSystem<TMetrics> {
  id: string;
  /** Starts the system's processes, loads them, stops them (every one, also on failure). */
  measure(round: number): Promise<Measured<TMetrics>>;
}

export interface RoundsOptions<TMetrics> {
  bench: string;
  rounds?: number;
  /** One line of progress for a successful run. */
  describe(metrics: TMetrics): string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rotated so that, over as many rounds as systems, every system runs once in every position. */
export function rotated<T>(items: T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export async function runRounds<TMetrics>(systems: RoundSystem<TMetrics>[], options: RoundsOptions<TMetrics>): Promise<Run<TMetrics>[]> {
  const runs: Run<TMetrics>[] = [];
  const rounds = options.rounds ?? settings.rounds;
  for (let round = 0; round < rounds; round++) {
    for (const [i, system] of rotated(systems, round).entries()) {
      if (round > 0 || i > 0) await sleep(settings.pauseMs);
      const run = await measureOnce(system, round);
      runs.push(run);
      const said = run.failure ? `FAILED: ${run.failure}` : options.describe(run.metrics!);
      process.stderr.write(`  ${options.bench} round ${round + 1}/${rounds} ${system.id}: ${said}\n`);
    }
  }
  return runs;
}

async function measureOnce<TMetrics>(system: RoundSystem<TMetrics>, round: number): Promise<Run<TMetrics>> {
  try {
    const { metrics, failure } = await system.measure(round);
    return failure ? { system: system.id, round, metrics, failure } : { system: system.id, round, metrics };
  } catch (error) {
    return { system: system.id, round, failure: (error as Error).message.slice(0, 300) };
  }
}
