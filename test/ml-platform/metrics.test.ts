// ROC AUC against a brute-force count over every (positive, negative) pair, ties included, and
// log loss against values known in closed form.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SeededRandom } from '../../packages/stand-ins/src/common/prng.js';
import { logLoss, rocAuc } from '../../packages/stand-ins/src/ml-platform/metrics.js';

function bruteForceAuc(labels: readonly number[], scores: readonly number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      const [p, n] = [scores[i] ?? 0, scores[j] ?? 0];
      wins += p > n ? 1 : p === n ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

void describe('ml metrics: ROC AUC', () => {
  void test('equals the pairwise count on random data with many ties', () => {
    const rng = new SeededRandom('auc-ties');
    for (let trial = 0; trial < 20; trial++) {
      const n = 50 + rng.int(200);
      const labels = Array.from({ length: n }, () => (rng.bernoulli(0.3) ? 1 : 0));
      // Scores on a coarse grid (ties everywhere), loosely related to the label.
      const scores = labels.map((y) => Math.round((rng.next() + y * 0.3) * 8) / 8);
      if (!labels.includes(1) || !labels.includes(0)) continue;
      const exact = rocAuc(labels, scores);
      assert.ok(Math.abs(exact - bruteForceAuc(labels, scores)) < 1e-12, `trial ${trial}`);
    }
  });

  void test('is 1 for a perfect ranking, 0 for a reversed one, 1/2 when everything ties', () => {
    assert.equal(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]), bruteForceAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]));
    assert.equal(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]), 0);
    assert.equal(rocAuc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]), 0.5);
  });

  void test('is undefined (NaN) with a single class', () => {
    assert.ok(Number.isNaN(rocAuc([1, 1], [0.2, 0.3])));
    assert.ok(Number.isNaN(rocAuc([], [])));
  });
});

void describe('ml metrics: log loss', () => {
  void test('is ln 2 for constant 1/2 predictions and near 0 for confident correct ones', () => {
    assert.ok(Math.abs(logLoss([0, 1, 1, 0], [0.5, 0.5, 0.5, 0.5]) - Math.LN2) < 1e-12);
    assert.ok(logLoss([0, 1], [1e-9, 1 - 1e-9]) < 1e-8);
  });

  void test('clips certain wrong predictions instead of returning Infinity', () => {
    const loss = logLoss([1], [0]);
    assert.ok(Number.isFinite(loss));
    assert.ok(Math.abs(loss - -Math.log(1e-15)) < 1e-9);
  });
});
