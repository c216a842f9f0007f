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
