// Pipeline schedule use cases behind /pipeline-schedules: create, read, list, change, pause,
// resume, delete. The row is committed first (the truth); BullMQ's job scheduler is then brought in
// line best effort, and the workers' reconciliation repairs it when that fails.
import type { Logger } from 'pino';
import type { ServiceConfig } from '../../config.js';
import type { Db } from '../../db/client.js';
import { AppError, fieldError, notFound } from '../../errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { jobCatalog } from '../../jobs/catalog.js';
import type { JobProducer } from '../../jobs/queue.js';
import { pageOf, type Keyset } from '../../pagination.js';
import { cadenceOf, cronProblem, nextInstantAfter } from './schedule-cadence.js';
import { resolveScheduledDefinition } from './schedule-definition.js';
import { scheduleStatuses, type CreateScheduleBody, type ListSchedulesQuery, type ScheduleStatus, type ScheduleView, type UpdateScheduleBody } from './schedule-schemas.js';
import { deleteSchedule, findSchedule, insertSchedule, listSchedules, moveSchedule, updateSchedule, type ScheduleChange, type ScheduleWithRecent } from './schedule-store.js';
import { syncScheduler } from './scheduler-sync.js';
import { oneOf } from '../../vocabulary.js';

export interface ScheduleServiceDeps {
  db: Db;
  producer: Pick<JobProducer, 'queue'>;
  config: Pick<ServiceConfig, 'schedules'>;
  logger: Logger;
  now?: () => Date;
}

const SYNC_TIMEOUT_MS = 2000;

function recordOf(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** A cron pattern with its zone, or every N hours: exactly one; a zone only with a pattern. */
function checkCadence(cadence: { cron: string | null; timeZone: string | null; everyHours: number | null }, named: 'given' | 'merged'): void {
  if ((cadence.cron === null) === (cadence.everyHours === null)) {
    throw fieldError('body', '/cron', named === 'given' ? 'give exactly one of cron and everyHours' : 'give either cron or everyHours, not both');
  }
  if (cadence.cron === null && cadence.timeZone !== null) throw fieldError('body', '/timeZone', 'only goes with cron');
  if (cadence.cron !== null) {
    const problem = cronProblem(cadence.cron, cadence.timeZone ?? 'UTC');
    if (problem) throw fieldError('body', `/${problem.field}`, problem.message);
  }
}

export function createScheduleService(deps: ScheduleServiceDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const hourMs = deps.config.schedules.hourMs;
  const log = deps.logger.child({ component: 'pipeline-schedules' });
  const queue = () => deps.producer.queue(jobCatalog['pipeline.schedule'].queue);

  function present(row: ScheduleWithRecent): ScheduleView {
    const status: ScheduleStatus = oneOf(scheduleStatuses, row.status, 'schedule status');
    const at = now();
    const from = row.activeSince.getTime() > at.getTime() ? row.activeSince : at;
    return {
      id: row.id,
      name: row.name,
      status,
      pipelineId: row.sourcePipelineId,
      templateId: row.templateId,
      parameters: recordOf(row.parameters),
      cron: row.cron,
      timeZone: row.cron === null ? null : (row.timeZone ?? 'UTC'),
      everyHours: row.everyHours,
      startAt: row.startAt.toISOString(),
      endAt: row.endAt?.toISOString() ?? null,
      nextRunAt: status === 'active' ? (nextInstantAfter(cadenceOf(row, hourMs), from)?.toISOString() ?? null) : null,
      destinationIds: row.destinationIds,
      recentOccurrences: row.occurrences.map((o) => ({
        instant: o.instant.toISOString(),
        outcome: o.outcome as ScheduleView['recentOccurrences'][number]['outcome'],
        pipelineId: o.pipelineId,
        detail: o.detail,
        recordedAt: o.recordedAt.toISOString(),
      })),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  async function load(tenantId: string, id: string): Promise<ScheduleWithRecent> {
    const row = await findSchedule(db, tenantId, id);
    if (!row) throw notFound('Pipeline schedule', id);
    return row;
  }

  /** After the commit, Redis never decides the answer: a failed or slow change is left to the workers' reconciliation. */
  async function settle(attempt: Promise<unknown>, scheduleId: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([attempt, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), SYNC_TIMEOUT_MS)))]);
    } catch (error) {
      attempt.catch(() => undefined);
      log.warn({ scheduleId, err: error }, "job scheduler not brought in line with the row; the workers' reconciliation will");
    } finally {
      clearTimeout(timer);
    }
  }

  const syncAfterCommit = (row: ScheduleWithRecent) => settle(syncScheduler(queue(), row, hourMs, now()), row.id);

  return {
    async create(tenantId: string, body: CreateScheduleBody): Promise<ScheduleView> {
      if ((body.pipelineId === undefined) === (body.templateId === undefined)) throw fieldError('body', '/pipelineId', 'give exactly one of pipelineId and templateId');
      if (body.parameters !== undefined && body.templateId === undefined) throw fieldError('body', '/parameters', 'only goes with templateId');
      const cadence = { cron: body.cron ?? null, timeZone: body.timeZone ?? null, everyHours: body.everyHours ?? null };
      checkCadence(cadence, 'given');
      const at = now();
      // The same rule as a recurring export's startAt (src/exports/export-schedule.ts): a past
      // start is clamped to now, as the Platform treats a past flow startTime.
      const startAt = body.startAt !== undefined && Date.parse(body.startAt) > at.getTime() ? new Date(body.startAt) : at;
      const endAt = body.endAt === undefined ? null : new Date(body.endAt);
      if (endAt !== null && endAt.getTime() <= startAt.getTime()) throw fieldError('body', '/endAt', 'must be after startAt (and in the future)');
      const resolved = await resolveScheduledDefinition(db, {
        tenantId,
        sourceKind: body.pipelineId !== undefined ? 'pipeline' : 'template',
        sourcePipelineId: body.pipelineId ?? null,
        templateId: body.templateId ?? null,
        parameters: body.parameters ?? null,
      });
      const row = await insertSchedule(
        db,
        {
          tenantId,
          name: body.name,
          sourceKind: body.pipelineId !== undefined ? 'pipeline' : 'template',
          sourcePipelineId: body.pipelineId ?? null,
          templateId: body.templateId ?? null,
          parameters: body.templateId !== undefined ? resolved.parameters : null,
          ...cadence,
          timeZone: cadence.cron === null ? null : (cadence.timeZone ?? 'UTC'),
          startAt,
          endAt,
          destinationIds: resolved.destinationIds,
        },
        at,
      );
      await syncAfterCommit(row);
      return present(row);
    },

    get: async (tenantId: string, id: string): Promise<ScheduleView> => present(await load(tenantId, id)),

    async list(tenantId: string, query: ListSchedulesQuery) {
      const rows = await listSchedules(db, tenantId, { limit: query.limit, ...(query.cursor ? { after: query.cursor satisfies Keyset } : {}) });
      const { items, nextCursor } = pageOf(rows, query.limit);
      return { items: items.map(present), nextCursor };
    },

    async update(tenantId: string, id: string, body: UpdateScheduleBody): Promise<ScheduleView> {
      const current = await load(tenantId, id);
      const change: ScheduleChange = {};
      if (body.name !== undefined) change.name = body.name;
      if (body.cron !== undefined || body.everyHours !== undefined || body.timeZone !== undefined) {
        const cadence =
          body.everyHours !== undefined
            ? { cron: body.cron ?? null, timeZone: body.timeZone ?? null, everyHours: body.everyHours }
            : { cron: body.cron ?? current.cron, timeZone: body.timeZone ?? current.timeZone, everyHours: body.cron !== undefined ? null : current.everyHours };
        checkCadence(cadence, 'merged');
        Object.assign(change, { ...cadence, timeZone: cadence.cron === null ? null : (cadence.timeZone ?? 'UTC'), activeSince: now() });
      }
      if (body.endAt !== undefined) {
        const endAt = body.endAt === null ? null : new Date(body.endAt);
        if (endAt !== null && (endAt.getTime() <= now().getTime() || endAt.getTime() <= current.startAt.getTime())) throw fieldError('body', '/endAt', 'must be after startAt and in the future');
        change.endAt = endAt;
      }
      if (body.parameters !== undefined) {
        if (current.sourceKind !== 'template') throw fieldError('body', '/parameters', 'only a template schedule takes parameters');
        const resolved = await resolveScheduledDefinition(db, { ...current, parameters: body.parameters });
        change.parameters = resolved.parameters as Prisma.InputJsonObject;
        change.destinationIds = resolved.destinationIds;
      }
      if (!(await updateSchedule(db, tenantId, id, change))) throw notFound('Pipeline schedule', id);
      const row = await load(tenantId, id);
      await syncAfterCommit(row);
      return present(row);
    },

    /** active -> paused: no instant runs until resumed, and none is caught up then. */
    async pause(tenantId: string, id: string): Promise<ScheduleView> {
      return move(tenantId, id, 'active', 'paused');
    },

    async resume(tenantId: string, id: string): Promise<ScheduleView> {
      return move(tenantId, id, 'paused', 'active');
    },

    /** Deletes the schedule and its occurrences; the runs it started stay (their scheduleId becomes null). */
    async remove(tenantId: string, id: string): Promise<void> {
      if (!(await deleteSchedule(db, tenantId, id))) throw notFound('Pipeline schedule', id);
      await settle(queue().removeJobScheduler(id), id);
    },
  };

  async function move(tenantId: string, id: string, from: ScheduleStatus, to: ScheduleStatus): Promise<ScheduleView> {
    const current = await load(tenantId, id);
    if (current.status !== to) {
      if (!(await moveSchedule(db, tenantId, id, from, to, now()))) {
        const latest = await load(tenantId, id);
        if (latest.status !== to) throw new AppError('conflict', `Pipeline schedule ${id} is ${latest.status}; it cannot be ${to === 'paused' ? 'paused' : 'resumed'}.`);
      }
    }
    const row = await load(tenantId, id);
    await syncAfterCommit(row);
    return present(row);
  }
}

export type ScheduleService = ReturnType<typeof createScheduleService>;
