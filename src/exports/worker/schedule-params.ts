// The flow schedule of an export. On-demand exports share a "parked" flow whose schedule starts a
// year out (as aepp does), so it never fires and only carries ad hoc runs; a recurring export gets
// its own flow with the caller's cadence (the API's stored schedule, see export-schedule.ts).
import type { ScheduleParams } from '../../platform/types.js';
import { parseStoredSchedule, platformScheduleParams } from '../export-schedule.js';

const YEAR_SECONDS = 365 * 24 * 3600;

export function parkedScheduleParams(nowMs: number): ScheduleParams {
  return { interval: 1, timeUnit: 'day', startTime: Math.floor(nowMs / 1000) + YEAR_SECONDS };
}

/** A parked flow whose start comes within this window is pushed a year out again. */
export const PARKED_REFRESH_WINDOW_SECONDS = 30 * 24 * 3600;

export function scheduleParamsOf(schedule: unknown, nowMs: number): ScheduleParams {
  const recurring = parseStoredSchedule(schedule);
  return recurring === null ? parkedScheduleParams(nowMs) : platformScheduleParams(recurring);
}
