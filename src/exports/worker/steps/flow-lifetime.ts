// Keeps the flow of a recurring export without endAt alive. The Platform ends a flow at its
// endTime, and one created without endTime six months after creation (reference
// platform-export-api.md 2.5); the service gives such a flow an explicit end six months out and
// moves it on by six months from now whenever it comes within the refresh window, as it does for
// parked flows (verify-flow.ts). A flow found past its end (an end the Platform imposed) is brought
// back the same way: the same flow, no duplicate. The PATCH is idempotent: done twice, the end is
// only moved on twice.
import type { Flow } from '../../../platform/types.js';
import { flowEndWithoutEndAt, type RecurringSchedule } from '../../export-schedule.js';
import { PARKED_REFRESH_WINDOW_SECONDS } from '../../../platform/parked-schedule.js';
import { flowEndSeconds } from '../schedule-params.js';
import type { StepContext } from '../step-context.js';

export function recurringFlowEndsSoon(schedule: RecurringSchedule, flow: Flow, nowMs: number): boolean {
  if (schedule.endAt !== null) return false;
  const end = flowEndSeconds(flow);
  return end === undefined || end < nowMs / 1000 + PARKED_REFRESH_WINDOW_SECONDS;
}

/** Moves the end of the flow on (PATCH with If-Match) when it comes near; Platform errors propagate. */
export async function keepRecurringFlowAlive(ctx: StepContext, schedule: RecurringSchedule, flow: Flow): Promise<void> {
  if (recurringFlowEndsSoon(schedule, flow, ctx.now())) {
    await ctx.fenced.saveStep(ctx.db);
    const endTime = flowEndWithoutEndAt(schedule, ctx.now());
    ctx.log.info({ flowId: flow.id, scheduleParams: flow.scheduleParams, endTime }, 'recurring flow ends soon (or has ended); moving its end on');
    await ctx.platform.patchFlow(flow.id, [{ op: 'replace', path: '/scheduleParams', value: { ...flow.scheduleParams, endTime } }], flow.etag ?? '*');
  }
}
