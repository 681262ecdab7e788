// The flow schedule of an export. On-demand exports share a parked flow that never fires and only
// carries ad hoc runs (src/platform/parked-schedule.ts); a recurring export gets its own flow with
// the caller's cadence (the API's stored schedule, see export-schedule.ts).
import { parkedScheduleParams } from '../../platform/parked-schedule.js';
import type { ScheduleParams } from '../../platform/types.js';
import { parseStoredSchedule, platformScheduleParams, sixMonthsAfter } from '../export-schedule.js';

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
