/** Latency summaries in microseconds. */
export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** The middle value; with an even count, the mean of the two middle ones. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(latenciesUs: number[]): { p50_us: number; p99_us: number } {
  const sorted = Float64Array.from(latenciesUs).sort();
  return { p50_us: Math.round(percentile(sorted, 50)), p99_us: Math.round(percentile(sorted, 99)) };
}

/** `a / b` as "1.23×". */
export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}

/**
 * The spread of a ratio over rounds: system `a`'s value over system `b`'s within each round,
 * as " (1.10–1.30 per round)". Paired within a round, both saw the same moment of a noisy machine.
 */
export function pairedRange<R extends { system: string; round: number }>(runs: R[], a: string, b: string, value: (run: R) => number): string {
  const valueOf = (system: string, round: number) => {
    const run = runs.find((r) => r.system === system && r.round === round);
    return run ? value(run) : NaN;
  };
  const rounds = [...new Set(runs.map((r) => r.round))];
  const ratios = rounds.map((round) => valueOf(a, round) / valueOf(b, round)).filter(Number.isFinite);
  if (ratios.length < 2) return "";
  return ` (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} per round)`;
}
