// /pipeline-schedules: run a pipeline or a template on a cron pattern (in a time zone) or every N
// hours; change, pause, resume and delete. Each instant starts a new pipeline run carrying the
// schedule's id; what became of each instant is on the schedule (`recentOccurrences`).
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CreateScheduleBodySchema,
  ListSchedulesQuerySchema,
  SchedulePageSchema,
  ScheduleParamsSchema,
  ScheduleViewSchema,
  UpdateScheduleBodySchema,
} from '../../pipelines/schedules/schedule-schemas.js';
import type { ScheduleService } from '../../pipelines/schedules/schedule-service.js';
import { problemResponses } from './problem-schema.js';

const policies =
  'An instant that falls while the previous run of the schedule is still going starts nothing and is recorded as `skipped_overlap`. Instants missed while no worker ran are run once, at recovery, as the latest of them. Each instant starts at most one run, however many workers run.';

export const pipelineScheduleRoutes: FastifyPluginCallbackZod<{ schedules: ScheduleService; publicUrl: string }> = (app, opts, done) => {
  const { schedules } = opts;
  const tags = ['pipeline-schedules'];

  app.post(
    '/pipeline-schedules',
    {
      config: { idempotent: true },
      schema: {
        tags,
        summary: 'Schedule a pipeline or a template',
        description: `The definition is resolved and checked in full now (400/404 naming the field) and again at each instant. A startAt in the past is clamped to now. ${policies}`,
        body: CreateScheduleBodySchema,
        response: { 201: ScheduleViewSchema, ...problemResponses(400, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const created = await schedules.create(request.auth.tenantId, request.body);
      return reply.status(201).header('location', `${opts.publicUrl}/pipeline-schedules/${created.id}`).send(created);
    },
  );

  app.get(
    '/pipeline-schedules',
    {
      schema: { tags, summary: 'List pipeline schedules, newest first', querystring: ListSchedulesQuerySchema, response: { 200: SchedulePageSchema, ...problemResponses(400) } },
    },
    async (request) => schedules.list(request.auth.tenantId, request.query),
  );

  app.get(
    '/pipeline-schedules/:id',
    {
      schema: {
        tags,
        summary: 'Get a pipeline schedule with its next instant and recent occurrences',
        params: ScheduleParamsSchema,
        response: { 200: ScheduleViewSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => schedules.get(request.auth.tenantId, request.params.id),
  );

  app.patch(
    '/pipeline-schedules/:id',
    {
      schema: {
        tags,
        summary: 'Change a pipeline schedule',
        description: 'Name, cadence (cron replaces everyHours and the other way round; instants of a new cadence before now are not caught up), endAt, or a template schedule’s parameters.',
        params: ScheduleParamsSchema,
        body: UpdateScheduleBodySchema,
        response: { 200: ScheduleViewSchema, ...problemResponses(400, 404, 413, 415) },
      },
    },
    async (request) => schedules.update(request.auth.tenantId, request.params.id, request.body),
  );

  for (const action of ['pause', 'resume'] as const) {
    app.post(
      `/pipeline-schedules/:id/${action}`,
      {
        schema: {
          tags,
          summary: action === 'pause' ? 'Pause a pipeline schedule' : 'Resume a paused pipeline schedule',
          description: action === 'pause' ? 'No instant runs while paused; a run already going is not touched.' : 'The next instant after now runs; instants that fell while paused are not caught up.',
          params: ScheduleParamsSchema,
          response: { 200: ScheduleViewSchema, ...problemResponses(400, 404, 409) },
        },
      },
      async (request) => (action === 'pause' ? schedules.pause(request.auth.tenantId, request.params.id) : schedules.resume(request.auth.tenantId, request.params.id)),
    );
  }

  app.delete(
    '/pipeline-schedules/:id',
    {
      schema: {
        tags,
        summary: 'Delete a pipeline schedule',
        description: 'Its runs stay (their scheduleId becomes null).',
        params: ScheduleParamsSchema,
        response: { 204: z.null().describe('Deleted'), ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      await schedules.remove(request.auth.tenantId, request.params.id);
      return reply.status(204).send(null);
    },
  );
  done();
};
