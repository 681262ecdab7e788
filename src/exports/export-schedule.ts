// Export schedules: "on-demand" (the default: one ad hoc run now, more on request) or recurring
// every 3, 6, 9 or 12 hours or once a day (the cadences the Platform's dataset flows accept), as
// ISO 8601 durations. Stored on the export row as JSON and turned into Flow Service scheduleParams.
import { z } from 'zod';
import type { ScheduleParams } from '../platform/types.js';

export const scheduleCadences = ['PT3H', 'PT6H', 'PT9H', 'PT12H', 'P1D'] as const;
export type ScheduleCadence = (typeof scheduleCadences)[number];

const cadence = z.enum(scheduleCadences).describe('Every 3, 6, 9 or 12 hours (PT3H...PT12H) or once a day (P1D).');
const instant = z.iso.datetime({ offset: true });

export const RecurringScheduleInputSchema = z
  .object({
    every: cadence,
    startAt: instant.optional().describe('First run; default now. A time in the past is clamped to now, as the Platform does.'),
    endAt: instant.optional().describe('Last run; without it the Platform stops the flow six months after creation.'),
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
    return 'must be "on-demand" or { every, startAt?, endAt? }';
  },
});
export type ScheduleInput = z.infer<typeof ScheduleInputSchema>;

/** A schedule change: any of the fields, merged into the current schedule. */
export const SchedulePatchSchema = RecurringScheduleInputSchema.partial()
  .strict()
  .refine((value) => Object.keys(value).length > 0, 'give at least one of every, startAt, endAt');

export const RecurringScheduleSchema = z.object({ every: cadence, startAt: instant, endAt: instant.nullable() }).meta({ id: 'RecurringSchedule' });
export type RecurringSchedule = z.infer<typeof RecurringScheduleSchema>;

export const ScheduleSchema = z.union([onDemand, RecurringScheduleSchema]).describe('"on-demand" or a recurring schedule');
export type Schedule = z.infer<typeof ScheduleSchema>;

/** The stored JSON column: null for on-demand. */
export function parseStoredSchedule(value: unknown): RecurringSchedule | null {
  if (value === null || value === undefined) return null;
  return RecurringScheduleSchema.parse(value);
}

/** Resolves defaults and checks the window; returns a message naming the field, or the schedule. */
export function resolveRecurringSchedule(
  input: { every: ScheduleCadence; startAt?: string | undefined; endAt?: string | null | undefined },
  now: Date,
): { schedule: RecurringSchedule } | { field: 'startAt' | 'endAt'; message: string } {
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
  return { schedule: { every: input.every, startAt: startAt.toISOString(), endAt: endAt ? endAt.toISOString() : null } };
}

const intervalOf: Record<ScheduleCadence, { interval: number; timeUnit: 'hour' | 'day' }> = {
  PT3H: { interval: 3, timeUnit: 'hour' },
  PT6H: { interval: 6, timeUnit: 'hour' },
  PT9H: { interval: 9, timeUnit: 'hour' },
  PT12H: { interval: 12, timeUnit: 'hour' },
  P1D: { interval: 1, timeUnit: 'day' },
};

/** Flow Service `scheduleParams` (epoch seconds) for a recurring export's own flow. */
export function platformScheduleParams(schedule: RecurringSchedule): ScheduleParams {
  const seconds = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);
  return {
    ...intervalOf[schedule.every],
    startTime: seconds(schedule.startAt),
    ...(schedule.endAt ? { endTime: seconds(schedule.endAt) } : {}),
    exportMode: 'FIRST_FULL_THEN_INCREMENTAL',
  };
}
