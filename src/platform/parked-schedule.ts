// The schedule of a "parked" flow: it starts a year out (as aepp does), so it never fires and only
// carries ad hoc runs (on-demand exports share one; an audience activation owns one). It also
// carries an endTime a day after its start: a flow created without one ends six months after
// creation and then refuses ad hoc runs ("out of schedule range"; reference
// platform-export-api.md 2.5 and section 4, Adobe's export-datasets API page). The export worker
// pushes both out again before either comes near (src/exports/worker/steps/verify-flow.ts).
import type { ScheduleParams } from './types.js';

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
