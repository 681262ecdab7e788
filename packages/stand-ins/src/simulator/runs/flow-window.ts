// When a dataset export flow may run: its schedule's occurrences and the end of its life.
// - Occurrence k is due at startTime + k × interval. The simulator's schedule time scale compresses
//   the interval only (SIMULATOR_SCHEDULE_TIME_SCALE Platform seconds per real second): a PT3H flow
//   at scale 5400 fires every 2 s. startTime, endTime and the expiry stay wall-clock instants, so a
//   client reading the same clock sees them where it put them.
// - A one-time full export (timeUnit day, interval 0) has a single occurrence at startTime.
// - A flow ends at its endTime; one created without endTime ends six months after creation:
//   "If you do not specify an endTime, the dataflow ends six months after its creation" (reference
//   platform-export-api.md 2.5 and section 4, citing Adobe's export-datasets API page [D1]). After
//   that it neither fires nor accepts ad hoc runs (adhoc-service.ts).

export interface FlowWindowView {
  createdAt?: number | undefined;
  scheduleParams?: { startTime?: unknown; endTime?: unknown; interval?: unknown; timeUnit?: unknown } | undefined;
}

const HOUR_MS = 3_600_000;

/** Six calendar months after `createdAtMs` (UTC). */
export function sixMonthsAfter(createdAtMs: number): number {
  const d = new Date(createdAtMs);
  d.setUTCMonth(d.getUTCMonth() + 6);
  return d.getTime();
}

/** The instant (epoch ms) after which the flow has ended, or undefined when unknown. */
export function flowEndMs(flow: FlowWindowView): number | undefined {
  const end = flow.scheduleParams?.endTime;
  if (typeof end === 'number') return end * 1000;
  return flow.createdAt === undefined ? undefined : sixMonthsAfter(flow.createdAt);
}

export function flowHasEnded(flow: FlowWindowView, nowMs: number): boolean {
  const end = flowEndMs(flow);
  return end !== undefined && nowMs >= end;
}

export interface Cadence {
  startMs: number;
  /** Real milliseconds between occurrences after time scaling; 0 for a one-time export. */
  stepMs: number;
}

export function cadenceOf(flow: FlowWindowView, timeScale: number): Cadence | undefined {
  const s = flow.scheduleParams;
  if (s === undefined || typeof s.startTime !== 'number') return undefined;
  const interval = Number(s.interval);
  if (!Number.isFinite(interval) || interval < 0) return undefined;
  const unitMs = typeof s.timeUnit === 'string' && s.timeUnit.toLowerCase() === 'day' ? 24 * HOUR_MS : HOUR_MS;
  return { startMs: s.startTime * 1000, stepMs: (interval * unitMs) / timeScale };
}

/** The latest occurrence due at `nowMs` (index and real instant), or undefined before the first. */
export function latestDueOccurrence(cadence: Cadence, nowMs: number): { index: number; atMs: number } | undefined {
  if (nowMs < cadence.startMs) return undefined;
  if (cadence.stepMs <= 0) return { index: 0, atMs: cadence.startMs };
  const index = Math.floor((nowMs - cadence.startMs) / cadence.stepMs);
  return { index, atMs: cadence.startMs + index * cadence.stepMs };
}
