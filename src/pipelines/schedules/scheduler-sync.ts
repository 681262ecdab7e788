// BullMQ's side of a pipeline schedule: one job scheduler per active schedule row, of the same id,
// that adds a `pipeline.schedule` job (the schedule id only) at each instant. The row is the
// truth: the API upserts or removes the scheduler after its commit (best effort), and every worker
// reconciles all schedulers with the rows on start and periodically, so a missed upsert (Redis
// down, a crash between commit and upsert) is repaired. See docs in README "Pipeline schedules".
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { jobCatalog } from '../../jobs/catalog.js';
import { cadenceOf, repeatOptionsOf } from './schedule-cadence.js';
import type { ScheduleRow } from './schedule-store.js';

const entry = jobCatalog['pipeline.schedule'];

type SchedulerRow = Pick<ScheduleRow, 'id' | 'status' | 'cron' | 'timeZone' | 'everyHours' | 'startAt' | 'endAt'>;

/** Brings one schedule's job scheduler in line with its row (upsert when active, remove otherwise). */
export async function syncScheduler(queue: Queue, row: SchedulerRow, hourMs: number, now: Date): Promise<'upserted' | 'removed'> {
  const repeat = row.status === 'active' ? repeatOptionsOf(cadenceOf(row, hourMs), now) : null;
  if (repeat === null) {
    await queue.removeJobScheduler(row.id);
    return 'removed';
  }
  await queue.upsertJobScheduler(row.id, repeat, { name: 'pipeline.schedule', data: entry.payload.parse({ scheduleId: row.id }), opts: entry.options });
  return 'upserted';
}

/** Whether the scheduler BullMQ holds runs the row's cadence (so it must not be reset). */
function matches(scheduler: { pattern?: string; tz?: string; every?: number; endDate?: number }, row: SchedulerRow, hourMs: number): boolean {
  const endDate = row.endAt?.getTime();
  if (scheduler.endDate !== endDate && !(scheduler.endDate === undefined && endDate === undefined)) return false;
  if (row.cron !== null) return scheduler.pattern === row.cron && (scheduler.tz ?? 'UTC') === (row.timeZone ?? 'UTC');
  return row.everyHours !== null && scheduler.every === row.everyHours * hourMs;
}

/**
 * Every row's scheduler as the row says, and no scheduler without a row. A scheduler that already
 * matches is left alone: upserting it would move its pending instant.
 */
export async function reconcileSchedulers(queue: Queue, rows: readonly SchedulerRow[], hourMs: number, now: Date, log: Pick<Logger, 'info' | 'warn'>): Promise<{ upserted: number; removed: number }> {
  const existing = new Map((await queue.getJobSchedulers(0, -1)).map((s) => [s.key, s]));
  let upserted = 0;
  let removed = 0;
  for (const row of rows) {
    const current = existing.get(row.id);
    existing.delete(row.id);
    const wanted = row.status === 'active' && repeatOptionsOf(cadenceOf(row, hourMs), now) !== null;
    if (wanted && current !== undefined && matches(current, row, hourMs)) continue;
    if (!wanted && current === undefined) continue;
    if ((await syncScheduler(queue, row, hourMs, now)) === 'upserted') upserted++;
    else removed++;
  }
  for (const orphan of existing.keys()) {
    await queue.removeJobScheduler(orphan);
    removed++;
  }
  if (upserted + removed > 0) log.info({ upserted, removed }, 'pipeline schedulers reconciled with the schedule rows');
  return { upserted, removed };
}
