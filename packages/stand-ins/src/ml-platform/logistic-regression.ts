// Binary logistic regression in plain TypeScript: features standardised with the training means
// and standard deviations, full-batch gradient descent with L2 regularisation (the intercept is not
// penalised), initial weights drawn from a seeded PRNG, so training is deterministic for a seed.
// Missing or non-numeric values count as 0, like the notebooks' fillna(0).
import { SeededRandom } from '../common/prng.js';

export type FeatureRow = Readonly<Record<string, unknown>>;

export interface LogisticModel {
  featureNames: string[];
  /** One weight per feature, on the standardised scale. */
  weights: number[];
  intercept: number;
  means: number[];
  /** Standard deviations used for scaling (1 where a feature is constant). */
  stds: number[];
  iterations: number;
  /** Training loss (mean log loss + L2 term) at the end. */
  finalLoss: number;
}

export interface TrainOptions {
  /** L2 strength on the standardised weights. */
  l2?: number;
  learningRate?: number;
  maxIterations?: number;
  /** Stop when the loss improves by less than this between iterations. */
  tolerance?: number;
  seed?: string;
}

const DEFAULTS = { l2: 0.01, learningRate: 0.5, maxIterations: 1000, tolerance: 1e-9, seed: 'logistic-regression' } as const;

/** A row value as a number: numbers, bigints, booleans and numeric strings; anything else is 0. */
export function numericValue(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : 0;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : 0;
  }
  return 0;
}

/** 1 for a positive label (any value > 0 or true), else 0. */
export function labelValue(value: unknown): 0 | 1 {
  return numericValue(value) > 0 ? 1 : 0;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function columnStats(matrix: readonly Float64Array[], width: number): { means: number[]; stds: number[] } {
  const means = new Array<number>(width).fill(0);
  const stds = new Array<number>(width).fill(0);
  for (const row of matrix) for (let j = 0; j < width; j++) means[j] = (means[j] ?? 0) + (row[j] ?? 0) / matrix.length;
  for (const row of matrix) for (let j = 0; j < width; j++) stds[j] = (stds[j] ?? 0) + ((row[j] ?? 0) - (means[j] ?? 0)) ** 2 / matrix.length;
  return { means, stds: stds.map((variance) => (variance > 0 ? Math.sqrt(variance) : 1)) };
}

function standardise(values: readonly number[], means: readonly number[], stds: readonly number[]): Float64Array {
  const out = new Float64Array(values.length);
  for (let j = 0; j < values.length; j++) out[j] = ((values[j] ?? 0) - (means[j] ?? 0)) / (stds[j] ?? 1);
  return out;
}

/**
 * Trains on `rows`, reading `featureNames` and the binary `label` column. Throws a RangeError when
 * there are no rows or only one class (a model could not be told apart from a constant).
 */
export function train(rows: readonly FeatureRow[], featureNames: readonly string[], label: string, options: TrainOptions = {}): LogisticModel {
  const { l2, learningRate, maxIterations, tolerance, seed } = { ...DEFAULTS, ...options };
  const labels = rows.map((row) => labelValue(row[label]));
  const positives = labels.reduce<number>((sum, y) => sum + y, 0);
  if (rows.length === 0 || positives === 0 || positives === rows.length) {
    throw new RangeError(`training needs both classes of "${label}" (rows: ${rows.length}, positives: ${positives})`);
  }
  const width = featureNames.length;
  const raw = rows.map((row) => Float64Array.from(featureNames, (name) => numericValue(row[name])));
  const { means, stds } = columnStats(raw, width);
  const x = raw.map((values) => standardise(Array.from(values), means, stds));

  const rng = new SeededRandom(seed);
  const weights = Float64Array.from({ length: width }, () => (rng.next() - 0.5) * 0.02);
  let intercept = 0;
  let previousLoss = Number.POSITIVE_INFINITY;
  let loss = previousLoss;
  let iteration = 0;
  const gradient = new Float64Array(width);
  for (; iteration < maxIterations; iteration++) {
    gradient.fill(0);
    let interceptGradient = 0;
    let dataLoss = 0;
    for (let i = 0; i < x.length; i++) {
      const row = x[i] as Float64Array;
      let z = intercept;
      for (let j = 0; j < width; j++) z += (weights[j] ?? 0) * (row[j] ?? 0);
      const p = sigmoid(z);
      const y = labels[i] ?? 0;
      // log(1 + e^z) - y·z, computed without overflow.
      dataLoss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y * z;
      const error = p - y;
      interceptGradient += error;
      for (let j = 0; j < width; j++) gradient[j] = (gradient[j] ?? 0) + error * (row[j] ?? 0);
    }
    let penalty = 0;
    for (let j = 0; j < width; j++) penalty += (weights[j] ?? 0) ** 2;
    loss = dataLoss / x.length + (l2 / 2) * penalty;
    if (previousLoss - loss < tolerance && iteration > 0) break;
    previousLoss = loss;
    for (let j = 0; j < width; j++) {
      weights[j] = (weights[j] ?? 0) - learningRate * ((gradient[j] ?? 0) / x.length + l2 * (weights[j] ?? 0));
    }
    intercept -= (learningRate * interceptGradient) / x.length;
  }
  return { featureNames: [...featureNames], weights: Array.from(weights), intercept, means, stds, iterations: iteration, finalLoss: loss };
}

/** The model's probability that `row` is positive. */
export function predict(model: LogisticModel, row: FeatureRow): number {
  let z = model.intercept;
  for (let j = 0; j < model.featureNames.length; j++) {
    const name = model.featureNames[j] as string;
    z += (model.weights[j] ?? 0) * ((numericValue(row[name]) - (model.means[j] ?? 0)) / (model.stds[j] ?? 1));
  }
  return sigmoid(z);
}
