/**
 * The q-quantile (0 ≤ q ≤ 1) of a histogram, estimated as Prometheus's `histogram_quantile` does,
 * so the dashboard and a PromQL query over the same buckets agree: find the bucket where the
 * rank q × count falls and interpolate linearly inside it; a rank in the `+Inf` bucket gives the
 * last finite bound. `bounds` are the upper bounds, ascending, ending with `Infinity`;
 * `cumulative[i]` is the count at or below `bounds[i]`. Null when the histogram is empty.
 */
export function histogramQuantile(q: number, bounds: readonly number[], cumulative: ArrayLike<number>): number | null {
  const n = bounds.length;
  if (n < 2 || cumulative.length !== n) return null;
  // Counts summed from several processes (or cut by a restart) may dip: keep them monotonic, as Prometheus does.
  const counts = Array.from(cumulative);
  for (let i = 1; i < n; i++) counts[i] = Math.max(counts[i]!, counts[i - 1]!);
  const total = counts[n - 1]!;
  if (!(total > 0)) return null;
  const rank = Math.min(1, Math.max(0, q)) * total;
  let b = 0;
  while (b < n - 1 && counts[b]! < rank) b++;
  if (b === n - 1) return bounds[n - 2]!;
  const lower = b === 0 ? 0 : bounds[b - 1]!;
  const below = b === 0 ? 0 : counts[b - 1]!;
  const inBucket = counts[b]! - below;
  if (inBucket === 0) return bounds[b]!;
  return lower + (bounds[b]! - lower) * ((rank - below) / inBucket);
}
