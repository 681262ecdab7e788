// Model quality metrics: exact ROC AUC (ties count one half, via average ranks) and log loss.

/** Exact ROC AUC = P(score of a random positive > score of a random negative), ties counting 1/2. */
export function rocAuc(labels: readonly number[], scores: readonly number[]): number {
  if (labels.length !== scores.length) throw new RangeError('labels and scores must have the same length');
  const order = scores.map((score, index) => ({ score, positive: (labels[index] ?? 0) > 0 })).sort((a, b) => a.score - b.score);
  let positives = 0;
  let positiveRankSum = 0;
  // Mann–Whitney U: walk groups of tied scores, giving each member the group's average rank.
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end < order.length && order[end]?.score === order[start]?.score) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) {
      if (order[i]?.positive === true) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

const EPSILON = 1e-15;

/** Mean binary cross-entropy, probabilities clipped to [1e-15, 1 - 1e-15] like scikit-learn. */
export function logLoss(labels: readonly number[], probabilities: readonly number[]): number {
  if (labels.length !== probabilities.length) throw new RangeError('labels and probabilities must have the same length');
  if (labels.length === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - EPSILON, Math.max(EPSILON, probabilities[i] ?? 0));
    total += (labels[i] ?? 0) > 0 ? -Math.log(p) : -Math.log(1 - p);
  }
  return total / labels.length;
}
