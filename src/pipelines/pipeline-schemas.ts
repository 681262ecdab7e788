// HTTP schemas of the pipeline and template routes: one per route part; bodies strict so unknown
// fields are refused by name. A pipeline answer shows each step's state, outputs, external
// (Platform and ML) ids, timings and error.
import { z } from 'zod';
import { CursorQuerySchema, LimitQuerySchema } from '../pagination.js';
import { LastErrorSchema } from '../last-error.js';
import { PipelineStepSchema, stepKinds } from './pipeline-definition.js';
import { pipelineStatuses, stepStates, type PipelineStatus } from './pipeline-status.js';
import { ParameterSchemaSchema, ParameterValuesSchema } from './template-parameters.js';

const instant = z.iso.datetime();

const MlPlatformSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(2048).describe('Databricks workspace (or compatible) base URL'),
    token: z.string().min(1).max(4096).describe('Bearer token; write-only, sealed at rest'),
  })
  .strict()
  .describe('The ML platform of this pipeline instead of the configured default');

const callbackUrl = z.url().max(2048).describe('https URL told about every state change (Standard Webhooks signed)');

export const CreatePipelineBodySchema = z
  .object({
    name: z.string().min(1).max(200),
    steps: z.array(PipelineStepSchema).min(1).max(20),
    callbackUrl: callbackUrl.optional(),
    mlPlatform: MlPlatformSchema.optional(),
  })
  .strict()
  .meta({ id: 'CreatePipeline' });
export type CreatePipelineBody = z.infer<typeof CreatePipelineBodySchema>;

export const PipelineParamsSchema = z.object({ id: z.uuid() });

const ErrorSchema = z
  .object({
    code: z.string().describe('e.g. query_killed, query_timeout, no_rows, ml_run_failed, platform_permission'),
    message: z.string().describe('What went wrong, in plain words'),
    step: z.string().nullable(),
    platformCode: z.string().nullable(),
    platformMessage: z.string().nullable(),
  })
  .meta({ id: 'PipelineError' });

export const PipelineStepViewSchema = z
  .object({
    index: z.number().int(),
    name: z.string(),
    kind: z.enum(stepKinds),
    state: z.enum(stepStates),
    outputs: z.record(z.string(), z.unknown()).describe('What later steps can refer to'),
    externalIds: z.record(z.string(), z.unknown()).describe('Platform and ML ids (queryId, exportId, mlRunId, batchId, segmentJobId, flowId, ...)'),
    generation: z.number().int().describe('How often the step was retried'),
    attempts: z.number().int(),
    startedAt: instant.nullable(),
    finishedAt: instant.nullable(),
    durationMs: z.number().int().nullable(),
    lastCallbackAt: instant.nullable(),
    error: ErrorSchema.nullable(),
    lastError: LastErrorSchema.nullable().describe('While the step waits to retry a failed Platform or ML-platform call (or its export does): that failure, the attempt and the next try'),
  })
  .meta({ id: 'PipelineStepState' });
export type PipelineStepView = z.infer<typeof PipelineStepViewSchema>;

const pipelineFields = {
  id: z.uuid(),
  name: z.string(),
  status: z.enum(pipelineStatuses),
  currentStep: z.string().nullable().describe('Name of the step the worker is at, or stopped at'),
  templateId: z.uuid().nullable(),
  scheduleId: z.uuid().nullable().describe('The pipeline schedule whose occurrence started this run'),
  parameters: z.record(z.string(), z.unknown()).nullable(),
  callbackUrl: z.string().nullable(),
  mlPlatformUrl: z.string().nullable(),
  error: ErrorSchema.nullable(),
  lastError: LastErrorSchema.nullable().describe("The current step's lastError, while the pipeline waits on a failed call"),
  attempts: z.number().int(),
  nextCheckAt: instant,
  deadlineAt: instant.nullable(),
  createdAt: instant,
  updatedAt: instant,
  startedAt: instant.nullable(),
  finishedAt: instant.nullable(),
};

export const PipelineSummarySchema = z.object(pipelineFields).meta({ id: 'PipelineSummary' });
export type PipelineSummary = z.infer<typeof PipelineSummarySchema>;

export const PipelineSchema = z
  .object({
    ...pipelineFields,
    steps: z.array(PipelineStepViewSchema),
    definition: z.object({ steps: z.array(z.record(z.string(), z.unknown())) }),
    callbackSecret: z.string().optional().describe('Only in the answer that created the pipeline: the whsec_ secret its notifications are signed with'),
  })
  .meta({ id: 'Pipeline' });
export type PipelineView = z.infer<typeof PipelineSchema>;

export const PipelinePageSchema = z.object({ items: z.array(PipelineSummarySchema), nextCursor: z.string().nullable() }).meta({ id: 'PipelinePage' });

const statusList = z
  .string()
  .transform((value, ctx) => {
    const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = parts.filter((s) => !(pipelineStatuses as readonly string[]).includes(s));
    if (parts.length === 0 || unknown.length > 0) {
      ctx.addIssue({ code: 'custom', message: `unknown status ${unknown.join(', ') || '(empty)'}; expected ${pipelineStatuses.join(', ')}` });
      return z.NEVER;
    }
    return parts as PipelineStatus[];
  })
  .describe(`Comma-separated statuses: ${pipelineStatuses.join(', ')}`);

export const ListPipelinesQuerySchema = z
  .object({
    status: statusList.optional(),
    templateId: z.uuid().optional(),
    createdAfter: z.iso.datetime({ offset: true }).optional().describe('Inclusive lower bound of createdAt'),
    createdBefore: z.iso.datetime({ offset: true }).optional().describe('Exclusive upper bound of createdAt'),
    limit: LimitQuerySchema,
    cursor: CursorQuerySchema.optional(),
  })
  .strict();
export type ListPipelinesQuery = z.infer<typeof ListPipelinesQuerySchema>;

// ---- Templates ----------------------------------------------------------------------------

const TemplateStepSchema = z
  .looseObject({ kind: z.enum(stepKinds), name: z.string().min(1).max(200) })
  .describe('A pipeline step whose string values may hold {{parameter}} placeholders');

export const CreateTemplateBodySchema = z
  .object({
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    steps: z.array(TemplateStepSchema).min(1).max(20),
    parameters: ParameterSchemaSchema.default({}),
  })
  .strict()
  .meta({ id: 'CreatePipelineTemplate' });
export type CreateTemplateBody = z.infer<typeof CreateTemplateBodySchema>;

export const TemplateSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    steps: z.array(z.record(z.string(), z.unknown())),
    parameters: ParameterSchemaSchema,
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'PipelineTemplate' });
export type TemplateView = z.infer<typeof TemplateSchema>;

export const TemplatePageSchema = z.object({ items: z.array(TemplateSchema), nextCursor: z.string().nullable() }).meta({ id: 'PipelineTemplatePage' });

export const ListTemplatesQuerySchema = z.object({ limit: LimitQuerySchema, cursor: CursorQuerySchema.optional() }).strict();
export type ListTemplatesQuery = z.infer<typeof ListTemplatesQuerySchema>;

export const StartTemplateBodySchema = z
  .object({
    name: z.string().min(1).max(200).optional().describe('Default: the template name'),
    parameters: ParameterValuesSchema.default({}),
    callbackUrl: callbackUrl.optional(),
    mlPlatform: MlPlatformSchema.optional(),
  })
  .strict()
  .meta({ id: 'StartPipelineTemplate' });
export type StartTemplateBody = z.infer<typeof StartTemplateBodySchema>;

