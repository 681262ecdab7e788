// Export schedules: "on-demand" (the default: one ad hoc run now, more on request) or recurring
// every 3, 6, 9 or 12 hours or once a day (the cadences the Platform's dataset flows accept), as
// ISO 8601 durations. Stored on the export row as JSON and turned into Flow Service scheduleParams.
// Export modes (destinations.yaml DatasetScheduleParams_V2 exportMode; reference 2.5 and section
// 4): FIRST_FULL_THEN_INCREMENTAL (a full backfill, then only what was added since the previous
// export) or DAILY_FULL_EXPORT, which "can only be used in combination with timeUnit day and
// interval 0 for a one-time full export ... Daily full exports of datasets are not supported. If
// you need daily exports, use the incremental export option". The two sources that could say
// otherwise agree: Experience League's dataset export UI guide (help/destinations/ui/export-datasets.md,
// #scheduling) offers full files only with frequency Once (Daily and Hourly are incremental), and
// its API tutorial (help/destinations/api/export-datasets.md, #create-dataflow) schedules dataset
// flows with interval/timeUnit alone. The `frequency: DAILY` full exports elsewhere in Adobe's docs
// belong to audience flows (segmentSelectors schedule), not to dataset flows; aepp's createFlow
// likewise sends DAILY_FULL_EXPORT only for frequency "once" (day, interval 0). So a recurring
// daily full export is refused, naming the field and quoting Adobe, before any Platform call. (The
// interval 0 of the one-time form is outside the schema's own interval enum: the contradiction is
// Adobe's; nothing here sends it.)
import { z } from 'zod';
import type { ScheduleParams } from '../platform/types.js';

export const scheduleCadences = ['PT3H', 'PT6H', 'PT9H', 'PT12H', 'P1D'] as const;
export type ScheduleCadence = (typeof scheduleCadences)[number];

export const exportModes = ['FIRST_FULL_THEN_INCREMENTAL', 'DAILY_FULL_EXPORT'] as const;
export type ExportMode = (typeof exportModes)[number];

const cadence = z.enum(scheduleCadences).describe('Every 3, 6, 9 or 12 hours (PT3H...PT12H) or once a day (P1D).');
const exportMode = z
  .enum(exportModes)
  .describe('FIRST_FULL_THEN_INCREMENTAL (the default, and the only mode recurring cadences allow). DAILY_FULL_EXPORT is refused: the Platform allows it only as a one-time export, not on a recurring schedule.');
const instant = z.iso.datetime({ offset: true });

export const RecurringScheduleInputSchema = z
  .object({
    every: cadence,
    startAt: instant.optional().describe('First run; default now. A time in the past is clamped to now, as the Platform does.'),
    endAt: instant.optional().describe('Last run; without it the export runs until paused or cancelled (the service keeps moving its flow\'s end, which the Platform would otherwise set six months after creation).'),
    exportMode: exportMode.optional(),
  })
  .strict();

const onDemand = z.literal('on-demand');

export const ScheduleInputSchema = z.union([onDemand, RecurringScheduleInputSchema], {
  // Name the field inside the object rather than "Invalid input" for the whole union.
  error: (issue) => {
    if (issue.code === 'invalid_union' && typeof issue.input === 'object' && issue.input !== null) {
      const inner = issue.errors[1]?.[0];
      if (inner) return `${inner.path.join('.') || 'schedule'}: ${inner.message}`;
    }
    return 'must be "on-demand" or { every, startAt?, endAt?, exportMode? }';
  },
});
export type ScheduleInput = z.infer<typeof ScheduleInputSchema>;

/** A schedule change: any of the fields, merged into the current schedule. */
export const SchedulePatchSchema = RecurringScheduleInputSchema.partial()
  .strict()
  .refine((value) => Object.keys(value).length > 0, 'give at least one of every, startAt, endAt, exportMode');

export const RecurringScheduleSchema = z
  .object({ every: cadence, startAt: instant, endAt: instant.nullable(), exportMode: exportMode.default('FIRST_FULL_THEN_INCREMENTAL') })
  .meta({ id: 'RecurringSchedule' });
export type RecurringSchedule = z.infer<typeof RecurringScheduleSchema>;

export const ScheduleSchema = z.union([onDemand, RecurringScheduleSchema]).describe('"on-demand" or a recurring schedule');
export type Schedule = z.infer<typeof ScheduleSchema>;

/** The stored JSON column: null for on-demand. */
export function parseStoredSchedule(value: unknown): RecurringSchedule | null {
  if (value === null || value === undefined) return null;
  return RecurringScheduleSchema.parse(value);
}

/** Why a recurring DAILY_FULL_EXPORT is refused, in Adobe's words and with where they are. */
export function dailyFullExportRefusal(every: ScheduleCadence): string {
  return (
    `DAILY_FULL_EXPORT cannot run every ${every}: the Platform does not support recurring full exports of a dataset. ` +
    'Adobe\'s Destinations API (scheduleParams.exportMode of a dataset flow, https://developer.adobe.com/experience-platform-apis/references/destinations/) ' +
    'allows it only "in combination with timeUnit day and interval 0 for a one-time full export of the dataset. Daily full exports of datasets are not supported. ' +
    'If you need daily exports, use the incremental export option." Use FIRST_FULL_THEN_INCREMENTAL (the default): the first run exports the whole dataset, later runs what was added since.'
  );
}

/** Resolves defaults and checks the window; returns a message naming the field, or the schedule. */
export function resolveRecurringSchedule(
  input: { every: ScheduleCadence; startAt?: string | undefined; endAt?: string | null | undefined; exportMode?: ExportMode | undefined },
  now: Date,
): { schedule: RecurringSchedule } | { field: 'startAt' | 'endAt' | 'exportMode'; message: string } {
  // A startAt in the past is clamped to now, as the Platform treats it: Flow Service puts no lower
  // bound on scheduleParams.startTime (flow-service.yaml createFlow, destinations.yaml
  // DatasetScheduleParams_V2: "the start time ... in epoch seconds"; its own examples carry
  // long-past times such as 1668474000), and aepp posts `startTime: now`, which is always in the
  // past when it arrives (reference platform-export-api.md 2.5) — the flow simply starts now.
  // Backfilling the missed past instants is not something a dataset flow does.
  const startAt = input.startAt && Date.parse(input.startAt) > now.getTime() ? new Date(input.startAt) : now;
  const endAt = input.endAt ? new Date(input.endAt) : null;
  if (endAt && endAt.getTime() <= startAt.getTime()) return { field: 'endAt', message: 'must be after startAt' };
  if (endAt && endAt.getTime() <= now.getTime()) return { field: 'endAt', message: 'must be in the future' };
  const mode = input.exportMode ?? 'FIRST_FULL_THEN_INCREMENTAL';
  if (mode === 'DAILY_FULL_EXPORT') {
    return { field: 'exportMode', message: dailyFullExportRefusal(input.every) };
  }
  return { schedule: { every: input.every, startAt: startAt.toISOString(), endAt: endAt ? endAt.toISOString() : null, exportMode: mode } };
}

const intervalOf: Record<ScheduleCadence, { interval: number; timeUnit: 'hour' | 'day' }> = {
  PT3H: { interval: 3, timeUnit: 'hour' },
  PT6H: { interval: 6, timeUnit: 'hour' },
  PT9H: { interval: 9, timeUnit: 'hour' },
  PT12H: { interval: 12, timeUnit: 'hour' },
  P1D: { interval: 1, timeUnit: 'day' },
};

const cadenceMs: Record<ScheduleCadence, number> = {
  PT3H: 3 * 3_600_000,
  PT6H: 6 * 3_600_000,
  PT9H: 9 * 3_600_000,
  PT12H: 12 * 3_600_000,
  P1D: 24 * 3_600_000,
};

/** Six calendar months after `createdAtMs`: when a flow created without endTime ends (reference 2.5). */
export function sixMonthsAfter(createdAtMs: number): number {
  const d = new Date(createdAtMs);
  d.setUTCMonth(d.getUTCMonth() + 6);
  return d.getTime();
}

/**
 * When the schedule stops (epoch ms): its endAt, or never without one. The flow of a schedule
 * without endAt still carries an end at the Platform (six months out, see flowEndWithoutEndAt),
 * which the worker keeps moving before it comes near (worker/steps/flow-lifetime.ts).
 */
export function scheduleEndMs(schedule: RecurringSchedule): number {
  return schedule.endAt === null ? Number.POSITIVE_INFINITY : new Date(schedule.endAt).getTime();
}

/** The next instant the Platform runs the schedule after `nowMs`, or null when none is left. */
export function nextRunAtOf(schedule: RecurringSchedule, nowMs: number): Date | null {
  const start = new Date(schedule.startAt).getTime();
  const end = scheduleEndMs(schedule);
  const step = cadenceMs[schedule.every];
  const next = nowMs < start ? start : start + (Math.floor((nowMs - start) / step) + 1) * step;
  return next < end ? new Date(next) : null;
}

/**
 * The flow end (epoch seconds) of a schedule without endAt, set at `nowMs`: six months after now
 * (or after its start, if later), the life the Platform gives a flow created without endTime
 * (reference platform-export-api.md 2.5). Set explicitly, it can be moved on like a parked flow's.
 */
export function flowEndWithoutEndAt(schedule: RecurringSchedule, nowMs: number): number {
  return Math.floor(sixMonthsAfter(Math.max(nowMs, new Date(schedule.startAt).getTime())) / 1000);
}

/** Flow Service `scheduleParams` (epoch seconds) for a recurring export's own flow, as of `nowMs`. */
export function platformScheduleParams(schedule: RecurringSchedule, nowMs: number): ScheduleParams {
  const seconds = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);
  return {
    ...intervalOf[schedule.every],
    startTime: seconds(schedule.startAt),
    endTime: schedule.endAt ? seconds(schedule.endAt) : flowEndWithoutEndAt(schedule, nowMs),
    exportMode: schedule.exportMode,
  };
}
