// Logistic regression: near-perfect AUC on separable data, chance on pure noise, recovery of the
// coefficients that generated the data, determinism for a seed, and fillna(0) semantics.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SeededRandom } from '../../packages/stand-ins/src/common/prng.js';
import { predict, train, type FeatureRow } from '../../packages/stand-ins/src/ml-platform/logistic-regression.js';
import { rocAuc } from '../../packages/stand-ins/src/ml-platform/metrics.js';

/** A standard normal draw (Box–Muller). */
function normal(rng: SeededRandom): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

function aucOf(model: ReturnType<typeof train>, rows: readonly FeatureRow[]): number {
  return rocAuc(
    rows.map((r) => Number(r.y)),
    rows.map((r) => predict(model, r)),
  );
}

void describe('logistic regression', () => {
  void test('separable data: held-out AUC is near 1', () => {
    const rng = new SeededRandom('separable');
    const make = (): FeatureRow => {
      const a = normal(rng) * 5 + 100;
      const b = normal(rng);
      return { a, b, y: a > 100 ? 1 : 0 };
    };
    const trainRows = Array.from({ length: 600 }, make);
    const testRows = Array.from({ length: 600 }, make);
    const model = train(trainRows, ['a', 'b'], 'y');
    assert.ok(aucOf(model, testRows) > 0.99, `AUC ${aucOf(model, testRows)}`);
  });

  void test('pure noise: held-out AUC is near 1/2', () => {
    const rng = new SeededRandom('noise');
    const make = (): FeatureRow => ({ a: normal(rng), b: normal(rng), c: rng.next(), y: rng.bernoulli(0.3) ? 1 : 0 });
    const model = train(Array.from({ length: 2000 }, make), ['a', 'b', 'c'], 'y');
    const auc = aucOf(model, Array.from({ length: 3000 }, make));
    // Standard error of AUC here is about 0.011; ±0.06 is more than five of them.
    assert.ok(Math.abs(auc - 0.5) < 0.06, `AUC ${auc}`);
  });

  void test('recovers the coefficients that generated the data', () => {
    const rng = new SeededRandom('recover');
    const [w1, w2, bias] = [1.5, -2, -0.5];
    const rows = Array.from({ length: 8000 }, (): FeatureRow => {
      const x1 = normal(rng) * 2 + 3;
      const x2 = normal(rng);
      const p = 1 / (1 + Math.exp(-(bias + w1 * x1 + w2 * x2)));
      return { x1, x2, y: rng.bernoulli(p) ? 1 : 0 };
    });
    const model = train(rows, ['x1', 'x2'], 'y', { l2: 0, maxIterations: 5000, tolerance: 1e-12 });
    // Back to the raw scale: w_raw = w_std / std; intercept_raw = b - sum(w_std * mean / std).
    const raw = model.weights.map((w, j) => w / (model.stds[j] ?? 1));
    const intercept = model.intercept - model.weights.reduce((sum, w, j) => sum + (w * (model.means[j] ?? 0)) / (model.stds[j] ?? 1), 0);
    assert.ok(Math.abs((raw[0] ?? 0) - w1) < 0.2, `w1 ${raw[0]}`);
    assert.ok(Math.abs((raw[1] ?? 0) - w2) < 0.2, `w2 ${raw[1]}`);
    assert.ok(Math.abs(intercept - bias) < 0.4, `bias ${intercept}`);
  });

  void test('is deterministic for a seed', () => {
    const rng = new SeededRandom('determinism');
    const rows = Array.from({ length: 300 }, (): FeatureRow => ({ a: normal(rng), y: rng.bernoulli(0.4) ? 1 : 0 }));
    const first = train(rows, ['a'], 'y', { seed: 's1', maxIterations: 50 });
    assert.deepEqual(train(rows, ['a'], 'y', { seed: 's1', maxIterations: 50 }), first);
    assert.notDeepEqual(train(rows, ['a'], 'y', { seed: 's2', maxIterations: 50 }).weights, first.weights);
  });

  void test('treats missing and non-numeric values as 0, and accepts bigint and boolean', () => {
    const rows: FeatureRow[] = [
      { a: 0n, b: false, y: 0n },
      { a: 3n, b: true, y: 1n },
      { a: null, b: 'x', y: 0 },
      { a: 2, b: 1, y: 1 },
    ];
    const model = train(rows, ['a', 'b'], 'y');
    assert.equal(model.means[0], (0 + 3 + 0 + 2) / 4);
    assert.equal(model.means[1], (0 + 1 + 0 + 1) / 4);
    assert.equal(predict(model, { a: undefined, b: null }), predict(model, { a: 0, b: 0 }));
  });

  void test('refuses a training set with a single class', () => {
    assert.throws(() => train([{ a: 1, y: 1 }, { a: 2, y: 1 }], ['a'], 'y'), RangeError);
    assert.throws(() => train([], ['a'], 'y'), RangeError);
  });
});
