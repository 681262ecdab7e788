// The flow schedule of an export. On-demand exports share a "parked" flow whose schedule starts a
// year out (as aepp does), so it never fires and only carries ad hoc runs; a recurring export gets
// its own flow with the caller's cadence (the API's stored schedule, see export-schedule.ts).
// A parked flow also carries an endTime a day after its start: a flow created without one ends six
// months after creation and then refuses ad hoc runs ("out of schedule range"; reference
// platform-export-api.md 2.5 and section 4, Adobe's export-datasets API page). The worker pushes
// both out again before either comes near (verify-flow.ts).
import type { ScheduleParams } from '../../platform/types.js';
import { parseStoredSchedule, platformScheduleParams, sixMonthsAfter } from '../export-schedule.js';

const YEAR_SECONDS = 365 * 24 * 3600;

const DAY_SECONDS = 24 * 3600;

export function parkedScheduleParams(nowMs: number): ScheduleParams {
  const startTime = Math.floor(nowMs / 1000) + YEAR_SECONDS;
  return { interval: 1, timeUnit: 'day', startTime, endTime: startTime + DAY_SECONDS };
}

/**
 * A parked flow whose start or end comes within this window is pushed a year out again; a
 * recurring flow without endAt whose end comes within it gets six more months.
 */
export const PARKED_REFRESH_WINDOW_SECONDS = 30 * 24 * 3600;

/** When the flow ends at the Platform (epoch seconds), if it says. */
export function flowEndSeconds(flow: { createdAt?: number | undefined; scheduleParams?: ScheduleParams | undefined }): number | undefined {
  const end = flow.scheduleParams?.endTime;
  if (end !== undefined) return end;
  return flow.createdAt === undefined ? undefined : Math.floor(sixMonthsAfter(flow.createdAt) / 1000);
}

export function scheduleParamsOf(schedule: unknown, nowMs: number): ScheduleParams {
  const recurring = parseStoredSchedule(schedule);
  return recurring === null ? parkedScheduleParams(nowMs) : platformScheduleParams(recurring, nowMs);
}
