// The run-now request of the local ML platform: Databricks' envelope (`job_id`, `job_parameters`,
// `idempotency_token`) with the ML job contract's parameters (job-contract.ts, docs/ml-platform.md)
// and this job's own options. Databricks passes job parameters as strings, so lists may be
// comma-separated strings and flags "true"/"false"; JSON arrays and booleans work too.
import { z } from 'zod';
import { StorageJobParametersSchema } from './job-contract.js';
import { webhookSecretProblem } from './callback-signature.js';
import type { RunParameters } from './run-store.js';
import { DEFAULT_HOLDOUT_FRACTION, DEFAULT_ID_COLUMN, DEFAULT_LABEL_COLUMN, NOTEBOOK_FEATURE_COLUMNS } from './train-and-score.js';

const columnList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (typeof value === 'string' ? value.split(',') : value).map((s) => s.trim()).filter((s) => s !== ''))
  .refine((list) => list.length > 0, 'must name at least one column');

const flag = z.union([z.boolean(), z.enum(['true', 'false'])]).transform((value) => value === true || value === 'true');

export const JobParametersSchema = z
  .strictObject({
    ...StorageJobParametersSchema.shape,
    feature_columns: columnList.optional(),
    label_column: z.string().min(1).optional(),
    id_column: z.string().min(1).optional(),
    holdout_fraction: z.coerce.number().min(0).max(0.9).optional(),
    seed: z.string().min(1).optional(),
    callback_url: z.url({ protocol: /^https?$/ }).optional(),
    callback_secret: z
      .string()
      .superRefine((secret, ctx) => {
        const problem = webhookSecretProblem(secret);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    simulate_failure: flag.optional(),
    drop_callback: flag.optional(),
  })
  .refine((p) => (p.training_files === undefined) !== (p.training_files_url === undefined), {
    message: 'needs exactly one of training_files or training_files_url',
    path: ['training_files'],
  });

const positiveId = z.union([z.number().int().positive(), z.string().regex(/^\d{1,15}$/).transform(Number)]).pipe(z.number().int().positive());

export const RunNowBodySchema = z.object({
  job_id: positiveId,
  job_parameters: JobParametersSchema,
  idempotency_token: z.string().min(1).max(64).optional(),
});
export type RunNowBody = z.infer<typeof RunNowBodySchema>;

export const RunIdQuerySchema = z.object({ run_id: positiveId });
export const CancelBodySchema = z.object({ run_id: positiveId });

export function runParameters(body: RunNowBody): RunParameters {
  const p = body.job_parameters;
  return {
    trainingUri: p.training_uri,
    ...(p.training_files === undefined ? {} : { trainingFiles: p.training_files }),
    ...(p.training_files_url === undefined ? {} : { trainingFilesUrl: p.training_files_url }),
    scoresUri: p.scores_uri,
    scoresUploadUrl: p.scores_upload_url,
    scoresUploadHeaders: p.scores_upload_headers,
    credentialsExpireAt: p.credentials_expire_at,
    featureColumns: p.feature_columns ?? [...NOTEBOOK_FEATURE_COLUMNS],
    labelColumn: p.label_column ?? DEFAULT_LABEL_COLUMN,
    idColumn: p.id_column ?? DEFAULT_ID_COLUMN,
    holdoutFraction: p.holdout_fraction ?? DEFAULT_HOLDOUT_FRACTION,
    seed: p.seed ?? 'local-ml-platform',
    ...(p.callback_url === undefined ? {} : { callbackUrl: p.callback_url }),
    ...(p.callback_secret === undefined ? {} : { callbackSecret: p.callback_secret }),
    simulateFailure: p.simulate_failure ?? false,
    dropCallback: p.drop_callback ?? false,
  };
}
