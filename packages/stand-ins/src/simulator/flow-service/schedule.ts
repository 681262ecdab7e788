// Validation of a dataset-export flow's `scheduleParams` (reference 2.5 and section 4): epoch
// seconds, every 3/6/9/12 hours or daily, and a one-time full export as day + interval 0.

export interface DatasetSchedule {
  startTime: number;
  interval: number;
  timeUnit: 'hour' | 'day';
  endTime?: number;
  exportMode?: 'DAILY_FULL_EXPORT' | 'FIRST_FULL_THEN_INCREMENTAL';
  folderNameTemplate?: string;
  [key: string]: unknown;
}

// destinations.yaml DatasetScheduleParams_V2.interval: enum 1/3/6/9/12 ("only 3,6,9, or 12-hour and
// 1-day frequencies are supported"). The UI doc's 8 hours is not in the API enum: refused.
const HOURLY_INTERVALS = [3, 6, 9, 12];
// Anything above this is milliseconds, not seconds (year 5138 in seconds).
const MAX_EPOCH_SECONDS = 100_000_000_000;

export interface CheckedSchedule {
  schedule?: DatasetSchedule;
  errors: string[];
}

function isInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/**
 * `interval` as the API may send it: flow-service.yaml's ScheduleSpecDTO types it as a string
 * (aepp's createFlow sends `str(interval)`), destinations.yaml's DatasetScheduleParams_V2 as an
 * integer. A string of digits is read as that integer (and stored as one); anything else is kept
 * as is and refused below.
 */
function intervalOf(value: unknown): unknown {
  return typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : value;
}

export function checkSchedule(value: unknown): CheckedSchedule {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { errors: ['scheduleParams must be an object'] };
  const raw = { ...(value as Record<string, unknown>) };
  if (raw.interval !== undefined) raw.interval = intervalOf(raw.interval);
  const errors: string[] = [];
  const { startTime, interval, endTime, exportMode, folderNameTemplate } = raw;
  const timeUnit = typeof raw.timeUnit === 'string' ? raw.timeUnit.toLowerCase() : raw.timeUnit;

  if (!isInteger(startTime)) errors.push('scheduleParams.startTime must be an integer (epoch seconds)');
  else if (startTime > MAX_EPOCH_SECONDS || startTime < 0) errors.push('scheduleParams.startTime must be epoch seconds');
  if (timeUnit !== 'hour' && timeUnit !== 'day') errors.push('scheduleParams.timeUnit must be hour or day');
  if (!isInteger(interval)) errors.push('scheduleParams.interval must be an integer');
  if (exportMode !== undefined && exportMode !== 'DAILY_FULL_EXPORT' && exportMode !== 'FIRST_FULL_THEN_INCREMENTAL') {
    errors.push('scheduleParams.exportMode must be DAILY_FULL_EXPORT or FIRST_FULL_THEN_INCREMENTAL');
  }
  if (isInteger(interval)) {
    if (timeUnit === 'hour' && !HOURLY_INTERVALS.includes(interval)) errors.push(`scheduleParams.interval must be one of ${HOURLY_INTERVALS.join(', ')} with timeUnit hour`);
    if (timeUnit === 'day' && interval !== 1 && interval !== 0) errors.push('scheduleParams.interval must be 1 with timeUnit day (0 for a one-time full export)');
    if (interval === 0 && exportMode !== 'DAILY_FULL_EXPORT') errors.push('scheduleParams.interval 0 requires exportMode DAILY_FULL_EXPORT');
  }
  if (exportMode === 'DAILY_FULL_EXPORT' && !(timeUnit === 'day' && interval === 0)) {
    errors.push('exportMode DAILY_FULL_EXPORT is only supported as a one-time export (timeUnit day, interval 0); recurring full exports are not supported');
  }
  if (endTime !== undefined) {
    if (!isInteger(endTime)) errors.push('scheduleParams.endTime must be an integer (epoch seconds)');
    else if (isInteger(startTime) && endTime <= startTime) errors.push('scheduleParams.endTime must be after startTime');
  }
  if (folderNameTemplate !== undefined && typeof folderNameTemplate !== 'string') errors.push('scheduleParams.folderNameTemplate must be a string');
  if (errors.length > 0) return { errors };
  return { schedule: { ...raw, timeUnit } as DatasetSchedule, errors };
}
