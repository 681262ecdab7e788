// HTTP schemas of /pipeline-schedules: one per route part, bodies strict so an unknown field is a
// 400 naming it. A schedule runs a pipeline (its definition again, like POST /pipelines/:id/rerun)
// or a template (with parameters), on a cron pattern in a time zone or every N hours.
import { z } from 'zod';
import { CursorQuerySchema, LimitQuerySchema } from '../../pagination.js';
import { ParameterValuesSchema } from '../template-parameters.js';

export const scheduleStatuses = ['active', 'paused'] as const;
export type ScheduleStatus = (typeof scheduleStatuses)[number];

/** What became of one instant of a schedule. */
export const occurrenceOutcomes = ['started', 'skipped_overlap', 'not_started'] as const;
export type OccurrenceOutcome = (typeof occurrenceOutcomes)[number];

const instant = z.iso.datetime({ offset: true });
const cron = z.string().trim().min(9).max(120).describe('Five-field cron pattern (minute hour day-of-month month day-of-week), read in `timeZone`');
const timeZone = z.string().min(1).max(64).describe('IANA time zone of the cron pattern (default UTC)');
const everyHours = z.number().int().min(1).max(24 * 366).describe('Every N hours from `startAt` (instead of cron)');

export const CreateScheduleBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    pipelineId: z.uuid().optional().describe('Run this pipeline’s definition again at each instant (same callback and ML platform)'),
    templateId: z.uuid().optional().describe('Start this template at each instant, with `parameters`'),
    parameters: ParameterValuesSchema.optional(),
    cron: cron.optional(),
    timeZone: timeZone.optional(),
    everyHours: everyHours.optional(),
    startAt: instant.optional().describe('First instant (every N hours) or earliest one (cron); default now. A time in the past is clamped to now.'),
    endAt: instant.optional().describe('No instant after this'),
  })
  .strict()
  .meta({ id: 'CreatePipelineSchedule', description: 'Exactly one of pipelineId and templateId; exactly one of cron and everyHours.' });
export type CreateScheduleBody = z.infer<typeof CreateScheduleBodySchema>;

export const UpdateScheduleBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    parameters: ParameterValuesSchema.optional(),
    cron: cron.optional(),
    timeZone: timeZone.optional(),
    everyHours: everyHours.optional(),
    endAt: instant.nullable().optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change')
  .meta({ id: 'UpdatePipelineSchedule', description: 'Giving cron replaces everyHours and the other way round.' });
export type UpdateScheduleBody = z.infer<typeof UpdateScheduleBodySchema>;

export const ScheduleParamsSchema = z.object({ id: z.uuid() });
export const ListSchedulesQuerySchema = z.object({ limit: LimitQuerySchema, cursor: CursorQuerySchema.optional() }).strict();
export type ListSchedulesQuery = z.infer<typeof ListSchedulesQuerySchema>;

export const OccurrenceSchema = z
  .object({
    instant: z.iso.datetime(),
    outcome: z.enum(occurrenceOutcomes),
    pipelineId: z.uuid().nullable().describe('The run it started, or (skipped_overlap) the run still going'),
    detail: z.string().nullable(),
    recordedAt: z.iso.datetime(),
  })
  .meta({ id: 'PipelineScheduleOccurrence' });

export const ScheduleViewSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    status: z.enum(scheduleStatuses),
    pipelineId: z.uuid().nullable(),
    templateId: z.uuid().nullable(),
    parameters: z.record(z.string(), z.unknown()).nullable(),
    cron: z.string().nullable(),
    timeZone: z.string().nullable(),
    everyHours: z.number().int().nullable(),
    startAt: z.iso.datetime(),
    endAt: z.iso.datetime().nullable(),
    nextRunAt: z.iso.datetime().nullable().describe('Next instant while active; null when paused or ended'),
    destinationIds: z.array(z.uuid()).describe('Destinations the scheduled definition names'),
    recentOccurrences: z.array(OccurrenceSchema).describe('The latest instants, newest first'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'PipelineSchedule' });
export type ScheduleView = z.infer<typeof ScheduleViewSchema>;

export const SchedulePageSchema = z.object({ items: z.array(ScheduleViewSchema), nextCursor: z.string().nullable() }).meta({ id: 'PipelineSchedulePage' });
