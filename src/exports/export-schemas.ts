// HTTP schemas of the export routes: one per route part, bodies strict so unknown fields are
// refused by name. Responses show every Platform id, the runs and a plain-words error.
import { z } from 'zod';
import { DatasetIdSchema } from '../datasets/dataset-schemas.js';
import { LastErrorSchema } from '../last-error.js';
import { CursorQuerySchema, LimitQuerySchema } from '../pagination.js';
import { ExportPathSchema } from './export-path.js';
import { ScheduleInputSchema, SchedulePatchSchema, ScheduleSchema } from './export-schedule.js';
import { exportRunStates, exportStatuses, type ExportStatus } from './export-status.js';

export const exportFormats = ['parquet', 'json'] as const;
export const exportCompressions = ['gzip', 'none'] as const;

/** A missing field says "is required", not zod's "Invalid option" listing the choices. */
const requiredEnum = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (issue) => (issue.input === undefined ? 'is required' : `must be one of ${values.join(', ')}`) });

export const CreateExportBodySchema = z
  .object({
    datasetId: DatasetIdSchema,
    destinationId: z.uuid(),
    path: ExportPathSchema,
    format: requiredEnum(exportFormats),
    compression: requiredEnum(exportCompressions).describe('json needs gzip (the Platform writes JSON compressed only).'),
    schedule: ScheduleInputSchema.default('on-demand'),
    callbackUrl: z.url().max(2048).optional().describe('https URL told about the outcome.'),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.format === 'json' && body.compression !== 'gzip') {
      ctx.addIssue({ code: 'custom', path: ['compression'], message: 'must be gzip when format is json (the Platform exports JSON compressed only)' });
    }
  })
  .meta({ id: 'CreateExport' });
export type CreateExportBody = z.infer<typeof CreateExportBodySchema>;

export const UpdateExportBodySchema = z.object({ schedule: SchedulePatchSchema }).strict().meta({ id: 'UpdateExport' });
export type UpdateExportBody = z.infer<typeof UpdateExportBodySchema>;

export const ExportParamsSchema = z.object({ id: z.uuid() });

const instant = z.iso.datetime();

export const LandedFileSchema = z
  .object({
    uri: z.string().describe('Where the file is: s3://…, gs://…, https://<account>.blob.core.windows.net/…, sftp://…'),
    path: z.string().describe("Key relative to the destination's root (bucket, container or SFTP root)"),
    size: z.number().int().describe('Bytes'),
  })
  .meta({ id: 'LandedFile' });
export type LandedFileView = z.infer<typeof LandedFileSchema>;

export const RunFileSchema = z
  .object({
    uri: z.string(),
    path: z.string(),
    size: z.number().int(),
    download: z
      .object({
        kind: z.enum(['signed', 'api']).describe('`signed`: a URL anyone can GET until it expires (S3 presign, Azure SAS); `api`: this API streams the file (SFTP), with your API key'),
        url: z.string(),
        expiresAt: instant.nullable(),
      })
      .describe('How to download the file'),
  })
  .meta({ id: 'RunFile' });

export const RunFilesSchema = z
  .object({
    exportId: z.uuid(),
    runId: z.uuid(),
    folderUri: z.string().nullable(),
    listedAt: instant.nullable().describe('When the worker listed the folder; null while the run has not succeeded or not been listed yet'),
    filesError: z.string().nullable(),
    files: z.array(RunFileSchema),
  })
  .meta({ id: 'RunFiles' });
export type RunFilesView = z.infer<typeof RunFilesSchema>;

export const RunParamsSchema = z.object({ id: z.uuid(), runId: z.uuid() });
export const RunFileContentQuerySchema = z.object({ path: z.string().min(1).max(1024).describe('A `path` from the run’s file list') });

export const ExportRunSchema = z
  .object({
    id: z.uuid(),
    state: z.enum(exportRunStates),
    platformRunId: z.string().nullable(),
    files: z.number().int().nullable(),
    bytes: z.number().int().nullable(),
    records: z.number().int().nullable(),
    errors: z.array(z.object({ code: z.string().nullable(), message: z.string().nullable() })),
    requestedAt: instant,
    startedAt: instant.nullable(),
    completedAt: instant.nullable(),
    folderUri: z.string().nullable().describe("The run's folder at the destination, once the worker listed it after success"),
    landedFiles: z.array(LandedFileSchema).describe('Every file in the folder (data parts and manifest); empty until listed'),
    filesError: z.string().nullable().describe('Why the folder could not be listed (the export itself succeeded)'),
  })
  .meta({ id: 'ExportRun' });
export type ExportRunView = z.infer<typeof ExportRunSchema>;

export const ExportErrorSchema = z
  .object({
    code: z.string().describe('Our code, e.g. governance_refused, platform_permission'),
    message: z.string().describe('What went wrong, in plain words'),
    platformCode: z.string().nullable().describe("The Platform's own error code, when it gave one"),
    platformMessage: z.string().nullable(),
    step: z.string().nullable(),
  })
  .meta({ id: 'ExportError' });

const exportFields = {
  id: z.uuid(),
  status: z.enum(exportStatuses),
  step: z.string().describe('Current step of the worker, e.g. pending, flow, poll_run'),
  datasetId: z.string(),
  destinationId: z.uuid(),
  path: z.string(),
  format: z.enum(exportFormats),
  compression: z.enum(exportCompressions),
  schedule: ScheduleSchema,
  callbackUrl: z.string().nullable(),
  platform: z
    .object({
      baseConnectionId: z.string().nullable(),
      sourceConnectionId: z.string().nullable(),
      targetConnectionId: z.string().nullable(),
      flowId: z.string().nullable(),
    })
    .describe('Platform object ids, each set as soon as it exists'),
  error: ExportErrorSchema.nullable(),
  lastError: LastErrorSchema.nullable().describe('While the export waits to retry a failed Platform call: that failure, the attempt and the next try'),
  nextRunAt: instant
    .nullable()
    .describe("An active recurring export: the schedule's next instant (the Platform starts the run then); null otherwise"),
  attempts: z
    .number()
    .int()
    .describe('Failed Platform calls in a row at the current step (the retry counter behind lastError; kept after a final failure); checks that find nothing wrong, such as polls of a recurring export, do not count'),
  nextCheckAt: instant,
  deadlineAt: instant.nullable(),
  createdAt: instant,
  updatedAt: instant,
  finishedAt: instant.nullable(),
};

export const ExportSummarySchema = z.object(exportFields).meta({ id: 'ExportSummary' });
export type ExportSummary = z.infer<typeof ExportSummarySchema>;

export const ExportSchema = z
  .object({
    ...exportFields,
    lastRun: ExportRunSchema.nullable().describe('The latest run (for a recurring export, the latest its schedule started; `state: failed` when it failed)'),
    runs: z.array(ExportRunSchema),
  })
  .meta({ id: 'Export' });
export type ExportView = z.infer<typeof ExportSchema>;

export const ExportPageSchema = z.object({ items: z.array(ExportSummarySchema), nextCursor: z.string().nullable() }).meta({ id: 'ExportPage' });

const statusList = z
  .string()
  .transform((value, ctx) => {
    const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = parts.filter((s) => !(exportStatuses as readonly string[]).includes(s));
    if (parts.length === 0 || unknown.length > 0) {
      ctx.addIssue({ code: 'custom', message: `unknown status ${unknown.join(', ') || '(empty)'}; expected ${exportStatuses.join(', ')}` });
      return z.NEVER;
    }
    return parts as ExportStatus[];
  })
  .describe(`Comma-separated statuses: ${exportStatuses.join(', ')}`);

export const ListExportsQuerySchema = z
  .object({
    status: statusList.optional(),
    datasetId: DatasetIdSchema.optional(),
    destinationId: z.uuid().optional(),
    createdAfter: z.iso.datetime({ offset: true }).optional().describe('Inclusive lower bound of createdAt'),
    createdBefore: z.iso.datetime({ offset: true }).optional().describe('Exclusive upper bound of createdAt'),
    limit: LimitQuerySchema,
    cursor: CursorQuerySchema.optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.createdAfter && q.createdBefore && new Date(q.createdAfter) >= new Date(q.createdBefore)) {
      ctx.addIssue({ code: 'custom', path: ['createdBefore'], message: 'must be after createdAfter' });
    }
  });
export type ListExportsQuery = z.infer<typeof ListExportsQuerySchema>;
