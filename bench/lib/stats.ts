/** Latency summaries in microseconds. */
export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

export function summarize(latenciesUs: number[]): { p50_us: number; p99_us: number } {
  const sorted = Float64Array.from(latenciesUs).sort();
  return { p50_us: Math.round(percentile(sorted, 50)), p99_us: Math.round(percentile(sorted, 99)) };
}

/** `a / b` as "1.23×". */
export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}
