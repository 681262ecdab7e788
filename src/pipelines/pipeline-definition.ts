// A pipeline definition: ordered, named steps of six kinds. A step takes an earlier step's output
// with a reference object `{ "fromStep": "<name>", "output": "<output>" }` wherever a value of the
// right kind is expected (a literal works too), e.g. the ml step's training set from the export
// step's `landed` folder. References are checked before anything starts (definition-validation.ts).
// Storage is never a local path: a step names a folder or file as `{destinationId, path}` in one of
// the caller's own destinations (another tenant's answers 404), or refers to an earlier step.
import { z } from 'zod';
import { DatasetIdSchema } from '../datasets/dataset-schemas.js';
import { ExportPathSchema } from '../exports/export-path.js';

export const stepKinds = ['featurize', 'export', 'ml', 'ingest', 'audience', 'activate'] as const;
export type StepKind = (typeof stepKinds)[number];

export const StepRefSchema = z
  .object({
    fromStep: z.string().min(1).describe('Name of an earlier step'),
    output: z.string().min(1).describe('One of that step kind\'s outputs, e.g. datasetId, landed, scores, segmentId'),
  })
  .strict()
  .meta({ id: 'PipelineStepRef', description: 'The output of an earlier step, resolved when this step starts.' });
export type StepRef = z.infer<typeof StepRefSchema>;

export function isStepRef(value: unknown): value is StepRef {
  return typeof value === 'object' && value !== null && 'fromStep' in value && 'output' in value;
}

const refOr = <T extends z.ZodType>(literal: T) => z.union([StepRefSchema, literal]);

export const StepNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'must be 1-40 lowercase letters, digits, - or _, starting with a letter')
  .describe('Unique within the pipeline; other steps refer to it');

/**
 * A folder or file in one of the caller's destinations. For a Data Landing Zone destination, what
 * the Platform exported is read from its `dlz_destination` container, and what goes back to the
 * Platform (scores) lives in its `user_drop_zone` container, as in Adobe's DLZ.
 */
export const StorageLocationSchema = z
  .object({
    destinationId: z.uuid().describe('One of your destinations'),
    path: ExportPathSchema.describe('Folder or file relative to the destination root, e.g. ml/egress/<datasetId>'),
  })
  .strict()
  .meta({ id: 'StorageLocation', description: 'A folder or file in one of your destinations.' });
export type StorageLocation = z.infer<typeof StorageLocationSchema>;

const FeaturizeStepSchema = z
  .object({
    kind: z.literal('featurize'),
    name: StepNameSchema,
    sql: z.string().min(1).max(200_000).describe('A SELECT (or WITH) over Query Service tables; run as a CTAS into a new dataset'),
    datasetName: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a lowercase SQL identifier of at most 40 characters')
      .optional()
      .describe('Prefix of the CTAS table; a per-pipeline suffix keeps every run\'s table unique'),
    queryParameters: z.record(z.string(), z.string()).optional().describe('`$key` placeholders of the SQL'),
  })
  .strict()
  .meta({ id: 'FeaturizeStep', description: 'Query Service CTAS into a dataset. Outputs: datasetId, tableName, queryId, rowCount.' });

const ExportStepSchema = z
  .object({
    kind: z.literal('export'),
    name: StepNameSchema,
    datasetId: refOr(DatasetIdSchema),
    destinationId: z.uuid(),
    path: ExportPathSchema,
    format: z.enum(['parquet', 'json']).default('parquet'),
    compression: z.enum(['gzip', 'none']).default('gzip'),
  })
  .strict()
  .meta({ id: 'ExportStep', description: 'An export (as POST /exports) of a dataset. Outputs: exportId, datasetId, landed (the run\'s folder), landedUri, files, records.' });

const MlStepSchema = z
  .object({
    kind: z.literal('ml'),
    name: StepNameSchema,
    training: refOr(StorageLocationSchema).describe('Folder of the training set\'s Parquet files (an export step\'s landed folder)'),
    scores: StorageLocationSchema.optional().describe(
      'Folder the scores file is written to; default aepjobs/scores/<pipelineId>/<step>/ at the training set\'s destination (the DLZ user drop zone for a DLZ)',
    ),
    jobId: z.number().int().positive().optional().describe('Databricks job id; default ML_PLATFORM_JOB_ID'),
    parameters: z.record(z.string(), z.string()).optional().describe('Extra job parameters, e.g. feature_columns, seed'),
    callback: z
      .enum(['signed', 'databricks', 'none'])
      .default('signed')
      .describe('signed: Standard Webhooks with a per-step secret; databricks: job notification with basic or bearer auth; none: polling only'),
  })
  .strict()
  .meta({
    id: 'MlStep',
    description: 'Train and score on an ML platform (Databricks run-now; contract in docs/ml-platform.md). Outputs: mlRunId, scores (the scores file), scoresUri, scoredRows, auc, aucTrain.',
  });

const IngestStepSchema = z
  .object({
    kind: z.literal('ingest'),
    name: StepNameSchema,
    scores: refOr(StorageLocationSchema).describe('The scores file (an ml step\'s scores output)'),
    datasetName: z.string().min(1).max(100).default('aepjobs CMLE propensity scores').describe('Profile-enabled scores dataset, created once and reused'),
  })
  .strict()
  .meta({ id: 'IngestStep', description: 'Batch ingestion of a scores file into a profile-enabled scores dataset. Outputs: datasetId, schemaId, batchId, records.' });

const ScoreRuleSchema = z
  .object({
    attribute: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/).optional().describe('Default `_{tenant}.propensity`'),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .strict()
  .refine((rule) => rule.min !== undefined || rule.max !== undefined, 'needs min, max or both')
  .refine((rule) => rule.min === undefined || rule.max === undefined || rule.min <= rule.max, 'min must not exceed max');

const AudienceStepSchema = z
  .object({
    kind: z.literal('audience'),
    name: StepNameSchema,
    rule: ScoreRuleSchema.optional().describe('Score band, e.g. {min: 0.2, max: 0.93}'),
    pql: z.string().min(1).max(10_000).optional().describe('Raw PQL instead of a rule'),
  })
  .strict()
  .refine((step) => (step.rule === undefined) !== (step.pql === undefined), { message: 'needs exactly one of rule or pql', path: ['rule'] })
  .meta({ id: 'AudienceStep', description: 'Segment definition plus a segment job. Outputs: segmentId, segmentJobId, audienceSize, totalProfiles.' });

const ActivateStepSchema = z
  .object({
    kind: z.literal('activate'),
    name: StepNameSchema,
    segmentId: refOr(z.string().min(1)),
    destinationId: z.uuid(),
    path: ExportPathSchema,
    format: z.enum(['json', 'parquet']).default('json'),
  })
  .strict()
  .meta({ id: 'ActivateStep', description: 'Audience to a file destination (ad hoc activation). Outputs: flowId, platformRunId, files, records.' });

export const PipelineStepSchema = z.discriminatedUnion('kind', [
  FeaturizeStepSchema,
  ExportStepSchema,
  MlStepSchema,
  IngestStepSchema,
  AudienceStepSchema,
  ActivateStepSchema,
]);
export type PipelineStepDefinition = z.infer<typeof PipelineStepSchema>;
export type StepOfKind<K extends StepKind> = Extract<PipelineStepDefinition, { kind: K }>;

export const PipelineStepsSchema = z.array(PipelineStepSchema).min(1).max(20);

export interface PipelineDefinition {
  steps: PipelineStepDefinition[];
}
