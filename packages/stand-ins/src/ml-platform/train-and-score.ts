// One ML run's work: read the training files through their signed URLs, split users into train
// and held-out, train logistic regression on the train side, report AUC and log loss on both
// sides, score every row (the population) and upload the scores file to its signed URL.
import { logLoss, rocAuc } from './metrics.js';
import { labelValue, predict, train, type FeatureRow, type LogisticModel } from './logistic-regression.js';
import type { TrainingFile } from './job-contract.js';
import type { ScoreLine } from './job-contract.js';
import { uploadScoresFile } from './scores-file.js';
import { trainingFileList } from './storage-http.js';
import { columnValue, missingColumns, readTrainingFiles, splitByUser, TrainingSetError, type TrainingRow } from './training-set.js';

/** The CMLE notebooks' 14 features (Week 2 featurization). */
export const NOTEBOOK_FEATURE_COLUMNS = [
  'emailsReceived',
  'emailsOpened',
  'emailsClicked',
  'productsViewed',
  'propositionInteracts',
  'propositionDismissed',
  'webLinkClicks',
  'minutes_since_emailSent',
  'minutes_since_emailOpened',
  'minutes_since_emailClick',
  'minutes_since_productView',
  'minutes_since_propositionInteract',
  'minutes_since_propositionDismiss',
  'minutes_since_linkClick',
] as const;
export const DEFAULT_LABEL_COLUMN = 'subscriptionOccurred';
export const DEFAULT_ID_COLUMN = 'userId';
/** Share of users held out for evaluation (the Databricks notebook's train_size=0.8). */
export const DEFAULT_HOLDOUT_FRACTION = 0.2;

export interface TrainAndScoreInput {
  /** The training files (inline) or the signed URL of their list. */
  training: { files?: TrainingFile[]; filesUrl?: string };
  /** Where the scores go: the URI to report, and the signed upload. */
  scores: { uri: string; uploadUrl: string; uploadHeaders: Record<string, string> };
  featureColumns: readonly string[];
  labelColumn: string;
  idColumn: string;
  holdoutFraction: number;
  seed: string;
}

/** What a successful run reports (snake_case: it is served as the run's `output`). */
export interface RunOutput {
  scores_uri: string;
  scored_rows: number;
  training_files: number;
  rows_total: number;
  rows_train: number;
  rows_holdout: number;
  positives_train: number;
  positives_holdout: number;
  /** AUC on the training rows (optimistic; what the notebooks reported). */
  auc_train: number | null;
  /** AUC on held-out users: the honest number. null when the held-out side lacks a class. */
  auc_holdout: number | null;
  log_loss_train: number | null;
  log_loss_holdout: number | null;
  feature_columns: string[];
  label_column: string;
  id_column: string;
  model: { intercept: number; weights: Record<string, number>; iterations: number };
}

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

function featureRow(row: TrainingRow, columns: readonly string[]): FeatureRow {
  return Object.fromEntries(columns.map((column) => [column, columnValue(row, column)]));
}

function evaluate(model: LogisticModel, rows: readonly FeatureRow[], labelColumn: string): { auc: number | null; logLoss: number | null; positives: number } {
  const labels = rows.map((row) => labelValue(row[labelColumn]));
  const scores = rows.map((row) => predict(model, row));
  return { auc: finiteOrNull(rocAuc(labels, scores)), logLoss: finiteOrNull(logLoss(labels, scores)), positives: labels.reduce<number>((a, b) => a + b, 0) };
}

function scoreUserId(row: TrainingRow, idColumn: string, index: number): string {
  const id = columnValue(row, idColumn);
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number' || typeof id === 'bigint') return String(id);
  throw new TrainingSetError(`row ${index} has no value in id column "${idColumn}"`);
}

export async function trainAndScore(input: TrainAndScoreInput): Promise<RunOutput> {
  const landed = await readTrainingFiles(await trainingFileList(input.training));
  const missing = missingColumns(landed.rows, [...input.featureColumns, input.labelColumn, input.idColumn]);
  if (missing.length > 0) throw new TrainingSetError(`columns not found in the training set: ${missing.join(', ')}`);

  const columns = [...input.featureColumns, input.labelColumn];
  const split = splitByUser(landed.rows, input.idColumn, input.holdoutFraction);
  const trainRows = split.train.map((row) => featureRow(row, columns));
  const testRows = split.test.map((row) => featureRow(row, columns));
  let model: LogisticModel;
  try {
    model = train(trainRows, input.featureColumns, input.labelColumn, { seed: input.seed });
  } catch (error) {
    if (error instanceof RangeError) throw new TrainingSetError(error.message);
    throw error;
  }
  const onTrain = evaluate(model, trainRows, input.labelColumn);
  const onTest = evaluate(model, testRows, input.labelColumn);

  const lines: ScoreLine[] = landed.rows.map((row: TrainingRow, index: number) => ({
    userId: scoreUserId(row, input.idColumn, index),
    propensity: predict(model, featureRow(row, input.featureColumns)),
  }));
  await uploadScoresFile({ url: input.scores.uploadUrl, headers: input.scores.uploadHeaders }, lines);

  return {
    scores_uri: input.scores.uri,
    scored_rows: lines.length,
    training_files: landed.files.length,
    rows_total: landed.rows.length,
    rows_train: trainRows.length,
    rows_holdout: testRows.length,
    positives_train: onTrain.positives,
    positives_holdout: onTest.positives,
    auc_train: onTrain.auc,
    auc_holdout: onTest.auc,
    log_loss_train: onTrain.logLoss,
    log_loss_holdout: onTest.logLoss,
    feature_columns: [...input.featureColumns],
    label_column: input.labelColumn,
    id_column: input.idColumn,
    model: {
      intercept: model.intercept,
      weights: Object.fromEntries(model.featureNames.map((name, j) => [name, model.weights[j] ?? 0])),
      iterations: model.iterations,
    },
  };
}
