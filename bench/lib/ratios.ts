// Ratios between systems, paired within each round: both sides of a pair ran minutes apart
// at most, on the same noisy machine, so the pair cancels most of what the machine did.
import type { BenchReport } from "./report.ts";
import type { Run } from "./rounds.ts";
import { median } from "./stats.ts";

export interface Metric<TMetrics> {
  name: string;
  value(metrics: TMetrics): number;
}

export interface Comparison {
  /** How the ratio reads, e.g. "fuse / moleculer". */
  label: string;
  system: string;
  baseline: string;
}

export interface RatioRow {
  comparison: string;
  metric: string;
  /** The median of the per-round ratios. */
  ratio: number;
  low: number;
  high: number;
  /** Rounds in which both sides succeeded. */
  rounds: number;
}

const succeeded = <T>(run: Run<T>): boolean => !run.failure && run.metrics !== undefined;

export function pairedRatios<T>(runs: Run<T>[], comparisons: Comparison[], metrics: Metric<T>[]): RatioRow[] {
  const ok = runs.filter(succeeded);
  const find = (system: string, round: number) => ok.find((r) => r.system === system && r.round === round)?.metrics;
  const rounds = [...new Set(runs.map((r) => r.round))];
  return comparisons.flatMap((c) =>
    metrics.map((m) => {
      const ratios = rounds
        .map((round) => [find(c.system, round), find(c.baseline, round)] as const)
        .filter((pair): pair is readonly [T, T] => pair[0] !== undefined && pair[1] !== undefined)
        .map(([a, b]) => m.value(a) / m.value(b))
        .filter(Number.isFinite);
      return { comparison: c.label, metric: m.name, ratio: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios), rounds: ratios.length };
    }),
  );
}

/** Each system's median of each metric over its successful rounds, and how many failed. */
export function systemMedians<T>(runs: Run<T>[], systems: string[], metrics: Metric<T>[]): Record<string, string | number>[] {
  return systems.map((system) => {
    const mine = runs.filter((r) => r.system === system);
    const ok = mine.filter(succeeded);
    const row: Record<string, string | number> = { system };
    for (const m of metrics) {
      const value = median(ok.map((r) => m.value(r.metrics!)));
      row[m.name] = Math.abs(value) < 100 ? +value.toFixed(1) : Math.round(value);
    }
    return { ...row, rounds_ok: ok.length, rounds_failed: mine.length - ok.length };
  });
}

/** One line per failed run, saying why. */
export function failureLines<T>(runs: Run<T>[]): string[] {
  return runs.filter((r) => r.failure).map((r) => `round ${r.round + 1}, ${r.system}: ${r.failure}`);
}

export interface RoundsReportSpec<T> {
  bench: string;
  settings: BenchReport["settings"];
  systems: string[];
  metrics: Metric<T>[];
  /** Figures for the systems' table only, where a ratio would mislead (one near zero, say). */
  unpaired?: Metric<T>[];
  comparisons: Comparison[];
  notes: string[];
}

/** A benchmark's report from its runs: medians, every ratio, and each failed run. */
export function roundsReport<T>(runs: Run<T>[], spec: RoundsReportSpec<T>): BenchReport {
  return {
    bench: spec.bench,
    settings: spec.settings,
    systems: systemMedians(runs, spec.systems, [...spec.metrics, ...(spec.unpaired ?? [])]),
    ratios: pairedRatios(runs, spec.comparisons, spec.metrics),
    failures: failureLines(runs),
    notes: spec.notes,
  };
}
