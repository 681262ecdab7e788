// The propensity scores of a run as counts in 20 equal bins over [0, 1]: what the notebooks plot
// with matplotlib (the score histogram, and reach against propensity, which is its cumulative sum
// from the top). Computed by the ingest step from the scores it uploads and kept as its output
// `scoreHistogram`, so the dashboard draws both without reading the scores again.
export const scoreHistogramBins = 20;

export function scoreHistogram(propensities: readonly number[]): number[] {
  const counts = new Array<number>(scoreHistogramBins).fill(0);
  for (const p of propensities) {
    if (!Number.isFinite(p)) continue;
    const bin = Math.min(scoreHistogramBins - 1, Math.max(0, Math.floor(p * scoreHistogramBins)));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts;
}
