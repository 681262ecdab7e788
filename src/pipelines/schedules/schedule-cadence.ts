// When a pipeline schedule fires: a five-field cron pattern read in an IANA time zone, or every N
// hours from its start. The instants are computed here, from the row, so the API (nextRunAt), the
// worker (which instant an occurrence stands for, what was missed) and BullMQ's job scheduler
// (which only wakes a worker) agree on one grid.
import { CronExpressionParser } from 'cron-parser';

export type Cadence =
  | { kind: 'cron'; cron: string; timeZone: string; startAt: Date; endAt: Date | null }
  | { kind: 'every'; everyMs: number; startAt: Date; endAt: Date | null };

/** Why a cron pattern or time zone is refused, or null. Five fields (minute resolution) only. */
export function cronProblem(cron: string, timeZone: string): { field: 'cron' | 'timeZone'; message: string } | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    return { field: 'timeZone', message: 'must be an IANA time zone such as Europe/Paris or UTC' };
  }
  if (cron.trim().split(/\s+/).length !== 5) return { field: 'cron', message: 'must have five fields: minute hour day-of-month month day-of-week' };
  try {
    CronExpressionParser.parse(cron, { tz: timeZone, strict: false }).next();
  } catch (error) {
    return { field: 'cron', message: `is not a valid cron pattern (${error instanceof Error ? error.message : String(error)})` };
  }
  return null;
}

export function cadenceOf(row: { cron: string | null; timeZone: string | null; everyHours: number | null; startAt: Date; endAt: Date | null }, hourMs: number): Cadence {
  if (row.cron !== null) return { kind: 'cron', cron: row.cron, timeZone: row.timeZone ?? 'UTC', startAt: row.startAt, endAt: row.endAt };
  if (row.everyHours === null) throw new Error('a pipeline schedule has either cron or everyHours');
  return { kind: 'every', everyMs: row.everyHours * hourMs, startAt: row.startAt, endAt: row.endAt };
}

/** The last instant at or before `t` (never before startAt, never after endAt); null when none yet. */
export function latestInstantAtOrBefore(cadence: Cadence, t: Date): Date | null {
  const limit = cadence.endAt !== null && cadence.endAt.getTime() < t.getTime() ? cadence.endAt.getTime() : t.getTime();
  const start = cadence.startAt.getTime();
  if (limit < start) return null;
  if (cadence.kind === 'every') return new Date(start + Math.floor((limit - start) / cadence.everyMs) * cadence.everyMs);
  const expression = CronExpressionParser.parse(cadence.cron, { tz: cadence.timeZone, currentDate: new Date(limit + 1) });
  const previous = expression.prev().getTime();
  return previous >= start ? new Date(previous) : null;
}

/** The first instant strictly after `t`; null once the schedule has ended. */
export function nextInstantAfter(cadence: Cadence, t: Date): Date | null {
  const start = cadence.startAt.getTime();
  let next: number;
  if (cadence.kind === 'every') {
    next = t.getTime() < start ? start : start + (Math.floor((t.getTime() - start) / cadence.everyMs) + 1) * cadence.everyMs;
  } else {
    const from = Math.max(t.getTime(), start - 1);
    next = CronExpressionParser.parse(cadence.cron, { tz: cadence.timeZone, currentDate: new Date(from) }).next().getTime();
  }
  return cadence.endAt !== null && next > cadence.endAt.getTime() ? null : new Date(next);
}

/**
 * BullMQ job scheduler options for the cadence, from `now`: the same grid (an `every` scheduler
 * keeps the phase of its first instant, so it starts at the next instant of ours).
 */
export function repeatOptionsOf(cadence: Cadence, now: Date): { pattern: string; tz: string; startDate?: Date; endDate?: Date } | { every: number; startDate: Date; endDate?: Date } | null {
  const next = nextInstantAfter(cadence, now);
  if (next === null) return null;
  const endDate = cadence.endAt === null ? {} : { endDate: cadence.endAt };
  if (cadence.kind === 'every') return { every: cadence.everyMs, startDate: next, ...endDate };
  return { pattern: cadence.cron, tz: cadence.timeZone, ...(cadence.startAt.getTime() > now.getTime() ? { startDate: cadence.startAt } : {}), ...endDate };
}
