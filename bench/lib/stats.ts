// Latency summaries for the benchmarks: exact percentiles over every sample (nearest rank), in ms.

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile of an ascending array. */
function rank(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

export function summarize(samplesMs: number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((total, ms) => total + ms, 0);
  return {
    count: sorted.length,
    meanMs: round(sorted.length === 0 ? Number.NaN : sum / sorted.length),
    p50Ms: round(rank(sorted, 50)),
    p90Ms: round(rank(sorted, 90)),
    p99Ms: round(rank(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
  };
}
