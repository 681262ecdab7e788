// The CMLE notebooks' workflow as one pipeline definition (reference 8): Week 2's featurization
// query over the synthetic experience events (14 features as of the subscription row of
// subscribers and one random row of everyone else; the `propositionDismiss` typo fixed), export as
// gzip Parquet, train and score on the ML platform, ingest the scores, the Week 5 audience
// `_{TENANT}.propensity >= 0.2 and <= 0.93`, and its activation. Used by `npm run demo:pipeline`
// and the end-to-end test.
import type { PipelineStepDefinition } from './pipeline-definition.js';

/** The Query Service table of the simulator's synthetic events (Catalog tag adobe/pqs/table). */
export const CMLE_EVENTS_TABLE = 'cmle_experience_events';

const COUNT_FEATURES: [string, string][] = [
  ['directMarketing.emailSent', 'emailsReceived'],
  ['directMarketing.emailOpened', 'emailsOpened'],
  ['directMarketing.emailClicked', 'emailsClicked'],
  ['commerce.productViews', 'productsViewed'],
  ['decisioning.propositionInteract', 'propositionInteracts'],
  ['decisioning.propositionDismiss', 'propositionDismissed'],
  ['web.webinteraction.linkClicks', 'webLinkClicks'],
];
const RECENCY_FEATURES: [string, string][] = [
  ['directMarketing.emailSent', 'minutes_since_emailSent'],
  ['directMarketing.emailOpened', 'minutes_since_emailOpened'],
  ['directMarketing.emailClicked', 'minutes_since_emailClick'],
  ['commerce.productViews', 'minutes_since_productView'],
  ['decisioning.propositionInteract', 'minutes_since_propositionInteract'],
  ['decisioning.propositionDismiss', 'minutes_since_propositionDismiss'],
  ['web.webinteraction.linkClicks', 'minutes_since_linkClick'],
];

/** Week 2's training-set SELECT: one labelled row per user with the 14 features as of that row. */
export function cmleTrainingSetSql(table = CMLE_EVENTS_TABLE, tenant = '_cmle'): string {
  const frame = `OVER (PARTITION BY ${tenant}.userid ORDER BY timestamp ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;
  const counts = COUNT_FEATURES.map(([type, alias]) => `SUM(CASE WHEN eventType = '${type}' THEN 1 ELSE 0 END) ${frame} AS ${alias}`);
  const recency = RECENCY_FEATURES.map(([type, alias]) => `TIME_BETWEEN_PREVIOUS_MATCH(timestamp, eventType = '${type}', 'minutes') ${frame} AS ${alias}`);
  return `SELECT *
FROM (
  SELECT ${tenant}.userid AS userId,
    eventType,
    timestamp,
    SUM(CASE WHEN eventType = 'web.formFilledOut' THEN 1 ELSE 0 END) OVER (PARTITION BY ${tenant}.userid) AS subscriptionOccurred,
    ${[...counts, ...recency].join(',\n    ')},
    row_number() OVER (PARTITION BY ${tenant}.userid ORDER BY randn()) AS random_row_number_for_user
  FROM ${table}
)
WHERE (subscriptionOccurred = 1 AND eventType = 'web.formFilledOut') OR (subscriptionOccurred = 0 AND random_row_number_for_user = 1)`;
}

export interface CmlePipelineOptions {
  /** Destination of the training-set export (the Data Landing Zone locally). */
  exportDestinationId: string;
  /** Destination the audience is activated to. */
  activationDestinationId: string;
  /** Folder of the export under the destination; unique per run keeps runs apart. */
  exportPath: string;
  activationPath: string;
  rule?: { min: number; max: number };
}

export function cmlePipelineSteps(options: CmlePipelineOptions): PipelineStepDefinition[] {
  return [
    { kind: 'featurize', name: 'features', sql: cmleTrainingSetSql(), datasetName: 'cmle_training_set' },
    { kind: 'export', name: 'training-export', datasetId: { fromStep: 'features', output: 'datasetId' }, destinationId: options.exportDestinationId, path: options.exportPath, format: 'parquet', compression: 'gzip' },
    { kind: 'ml', name: 'train-and-score', training: { fromStep: 'training-export', output: 'landed' }, callback: 'signed' },
    { kind: 'ingest', name: 'scores', scores: { fromStep: 'train-and-score', output: 'scores' }, datasetName: 'aepjobs CMLE propensity scores' },
    { kind: 'audience', name: 'propensity-band', rule: options.rule ?? { min: 0.2, max: 0.93 } },
    { kind: 'activate', name: 'activation', segmentId: { fromStep: 'propensity-band', output: 'segmentId' }, destinationId: options.activationDestinationId, path: options.activationPath, format: 'json' },
  ];
}
