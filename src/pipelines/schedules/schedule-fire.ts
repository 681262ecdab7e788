// One instant of a pipeline schedule, decided once. Policies (README "Pipeline schedules"):
// - Each instant starts at most one run: the occurrence row's key is (scheduleId, instant), and the
//   decision is taken with the schedule row locked, so two workers, a retried job and the recovery
//   path all agree.
// - Overlap: an instant that falls while the schedule's previous run is still going (queued,
//   running or waiting) starts nothing; it is recorded as `skipped_overlap`, naming that run.
// - Missed instants: a job for an instant that comes late (no worker ran meanwhile) stands for the
//   latest instant due by now, so everything missed runs once on recovery; older instants are then
//   recorded as already covered and ignored. Instants up to the moment the schedule was created or
//   resumed are never run: the first run is the first instant after it.
// - A definition that no longer resolves (template or destination gone) is `not_started`, with why.
import type { Logger } from 'pino';
import type { Db } from '../../db/client.js';
import { AppError } from '../../errors.js';
import { Prisma } from '../../generated/prisma/client.js';
import type { JobProducer } from '../../jobs/queue.js';
import { notifyPipelineStatus } from '../../notifications/pipeline-notifications.js';
import { enqueuePipelineAfterCommit } from '../pipeline-enqueue.js';
import { activePipelineStatuses } from '../pipeline-status.js';
import { insertPipeline } from '../pipeline-store.js';
import { cadenceOf, latestInstantAtOrBefore, nextInstantAfter } from './schedule-cadence.js';
import { resolveScheduledDefinition } from './schedule-definition.js';
import type { OccurrenceOutcome } from './schedule-schemas.js';
import { insertOccurrence, latestOccurrence, lockSchedule } from './schedule-store.js';

export interface FireDeps {
  db: Db;
  producer: Pick<JobProducer, 'enqueue'>;
  hourMs: number;
  now: () => Date;
  log: Logger;
}

export type FireResult =
  | { outcome: OccurrenceOutcome; instant: Date; pipelineId: string | null }
  | { outcome: 'ignored'; reason: 'no_schedule' | 'not_active' | 'not_due' | 'already_recorded' };

/** `repeat:<schedulerId>:<millis>`: the instant BullMQ's job scheduler added this job for. */
export function instantOfSchedulerJob(jobId: string | undefined): Date | null {
  const millis = jobId?.match(/^repeat:[^:]+:(\d+)$/)?.[1];
  return millis === undefined ? null : new Date(Number(millis));
}

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

/** Decides the occurrence seen at `seen` (the scheduler job's instant, or now on recovery). */
export async function fireOccurrence(deps: FireDeps, scheduleId: string, seen: Date, via: 'scheduler' | 'recovery'): Promise<FireResult> {
  const at = deps.now();
  let result: FireResult;
  try {
    result = await deps.db.$transaction(async (tx): Promise<FireResult> => {
      const schedule = await lockSchedule(tx, scheduleId);
      if (schedule === null) return { outcome: 'ignored', reason: 'no_schedule' };
      if (schedule.status !== 'active') return { outcome: 'ignored', reason: 'not_active' };
      // The latest instant due by now (or by the job's own instant, should it come a little early).
      const cadence = cadenceOf(schedule, deps.hourMs);
      const instant = latestInstantAtOrBefore(cadence, new Date(Math.max(at.getTime(), seen.getTime())));
      if (instant === null || instant.getTime() <= schedule.activeSince.getTime()) return { outcome: 'ignored', reason: 'not_due' };
      const latest = await latestOccurrence(tx, scheduleId);
      if (latest !== null && latest.instant.getTime() >= instant.getTime()) return { outcome: 'ignored', reason: 'already_recorded' };
      // Earlier instants that nobody decided (no worker ran): this one stands for them all.
      const firstUndecided = nextInstantAfter(cadence, latest !== null && latest.instant > schedule.activeSince ? latest.instant : schedule.activeSince);
      const late = firstUndecided !== null && firstUndecided < instant ? `recovery: also stands for the instants missed since ${firstUndecided.toISOString()}` : null;

      const running = await tx.pipeline.findFirst({
        where: { scheduleId, status: { in: [...activePipelineStatuses] } },
        select: { id: true, status: true },
        orderBy: { createdAt: 'desc' },
      });
      if (running !== null) {
        const detail = `the previous run ${running.id} is still ${running.status}`;
        await insertOccurrence(tx, { scheduleId, instant, outcome: 'skipped_overlap', pipelineId: running.id, detail });
        return { outcome: 'skipped_overlap', instant, pipelineId: running.id };
      }

      let resolved;
      try {
        resolved = await resolveScheduledDefinition(tx, schedule);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        await insertOccurrence(tx, { scheduleId, instant, outcome: 'not_started', pipelineId: null, detail: error.detail });
        return { outcome: 'not_started', instant, pipelineId: null };
      }
      const source = resolved.pipeline;
      const created = await insertPipeline(
        tx,
        {
          tenantId: schedule.tenantId,
          templateId: resolved.templateId,
          name: resolved.name,
          definition: resolved.definition,
          parameters: resolved.parameters,
          callbackUrl: source?.callbackUrl ?? null,
          callbackSecretSealed: source?.callbackSecretSealed ?? null,
          mlPlatformUrl: source?.mlPlatformUrl ?? null,
          mlPlatformTokenSealed: source?.mlPlatformTokenSealed ?? null,
          scheduleId,
        },
        at,
      );
      await notifyPipelineStatus(tx, created, 'queued', at, { scheduleId, scheduledFor: instant.toISOString() });
      await insertOccurrence(tx, { scheduleId, instant, outcome: 'started', pipelineId: created.id, detail: late });
      return { outcome: 'started', instant, pipelineId: created.id };
    });
  } catch (error) {
    // The schedule row lock makes this unlikely; the key is what guarantees it.
    if (isUniqueViolation(error)) return { outcome: 'ignored', reason: 'already_recorded' };
    throw error;
  }
  if (result.outcome === 'started' && result.pipelineId !== null) {
    await enqueuePipelineAfterCommit(deps.producer, result.pipelineId, deps.log);
  }
  const instant = 'instant' in result ? result.instant.toISOString() : undefined;
  deps.log.info({ scheduleId, via, outcome: result.outcome, ...(instant ? { instant } : {}), ...('reason' in result ? { reason: result.reason } : {}) }, 'pipeline schedule occurrence');
  return result;
}
