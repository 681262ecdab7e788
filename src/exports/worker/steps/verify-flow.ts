// Step `verify_flow`: before every run, check at the Platform that the saved flow still exists
// and reads this dataset (the reuse must be real, not a stale id), point it back at our source
// connection if someone changed it, keep a parked flow's start and end a year out (a flow past its
// end, e.g. an end date the Platform imposed, is brought back the same way: same flow, no
// duplicate) and a recurring flow without endAt six months from its end (flow-lifetime.ts), and
// enable it if it was disabled. A flow the Platform lost is forgotten and
// recreated (after a lookup by name). A recurring export then watches its scheduled runs.
import { parseStoredSchedule } from '../../export-schedule.js';
import { PlatformError } from '../../../platform/errors.js';
import type { Flow } from '../../../platform/types.js';
import { outcomeOfPlatformError } from '../platform-outcome.js';
import { parkedScheduleParams, PARKED_REFRESH_WINDOW_SECONDS } from '../../../platform/parked-schedule.js';
import { flowEndSeconds } from '../schedule-params.js';
import { advance, jump, type StepContext, type StepHandler } from '../step-context.js';
import { clearBindingId } from '../worker-store.js';
import { bindingOf } from './binding.js';
import { keepRecurringFlowAlive } from './flow-lifetime.js';

const isNotFound = (error: unknown): boolean => error instanceof PlatformError && error.kind === 'not_found';

async function sourceReadsDataset(ctx: StepContext, sourceConnectionId: string): Promise<boolean | 'missing'> {
  try {
    const source = await ctx.readAhead.sourceConnection(ctx.platform, sourceConnectionId);
    return (source.params?.datasets ?? []).some((d) => d.dataSetId === ctx.exp.datasetId);
  } catch (error) {
    if (isNotFound(error)) return 'missing';
    throw error;
  }
}

function needsParkingAgain(ctx: StepContext, flow: Flow): boolean {
  if (ctx.exp.schedule !== null) return false;
  const soon = ctx.now() / 1000 + PARKED_REFRESH_WINDOW_SECONDS;
  const start = flow.scheduleParams?.startTime;
  const end = flowEndSeconds(flow);
  return start === undefined || start < soon || (end !== undefined && end < soon);
}

export const verifyFlowStep: StepHandler<'verify_flow'> = async (ctx) => {
  const binding = await bindingOf(ctx);
  const { flowId, sourceConnectionId } = binding;
  if (sourceConnectionId === null) return jump('verify_flow', 'source_connection');
  if (flowId === null) return jump('verify_flow', 'flow');

  try {
    let flow: Flow;
    try {
      flow = await ctx.readAhead.flow(ctx.platform, flowId);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      ctx.log.warn({ flowId }, 'the Platform no longer has the saved flow; recreating it');
      await clearBindingId(ctx.db, binding.id, 'flowId', flowId);
      binding.flowId = null;
      return jump('verify_flow', 'flow');
    }

    const flowSource = flow.sourceConnectionIds[0];
    const reads = flowSource === undefined ? false : await sourceReadsDataset(ctx, flowSource);
    if (reads !== true) {
      // Our own source connection must exist before the flow can be pointed back at it.
      const ours = flowSource === sourceConnectionId ? reads : await sourceReadsDataset(ctx, sourceConnectionId);
      if (ours !== true) {
        ctx.log.warn({ sourceConnectionId }, 'the saved source connection is gone or reads another dataset; recreating it');
        await clearBindingId(ctx.db, binding.id, 'sourceConnectionId', sourceConnectionId);
        binding.sourceConnectionId = null;
        return jump('verify_flow', 'source_connection');
      }
      ctx.log.warn({ flowId, found: flow.sourceConnectionIds }, 'flow reads another source; pointing it back at ours');
      await ctx.fenced.saveStep(ctx.db);
      ctx.crash('verify_flow', 'before');
      await ctx.platform.patchFlow(flowId, [{ op: 'replace', path: '/sourceConnectionIds', value: [sourceConnectionId] }], flow.etag ?? '*');
      ctx.crash('verify_flow', 'after');
      return jump('verify_flow', 'verify_flow');
    }

    if (needsParkingAgain(ctx, flow)) {
      ctx.log.info({ flowId, scheduleParams: flow.scheduleParams }, 'parked flow starts or ends soon (or has ended); pushing its window out');
      await ctx.fenced.saveStep(ctx.db);
      await ctx.platform.patchFlow(
        flowId,
        [{ op: 'replace', path: '/scheduleParams', value: { ...flow.scheduleParams, ...parkedScheduleParams(ctx.now()) } }],
        flow.etag ?? '*',
      );
    }
    const recurring = parseStoredSchedule(ctx.exp.schedule);
    if (recurring !== null) await keepRecurringFlowAlive(ctx, recurring, flow);
    if ((flow.state ?? 'enabled').toLowerCase() !== 'enabled') {
      // A step saves itself before it writes at the Platform (FencedExport.stageStep).
      await ctx.fenced.saveStep(ctx.db);
      ctx.crash('verify_flow', 'before');
      await ctx.platform.enableFlow(flowId);
      ctx.crash('verify_flow', 'after');
      ctx.log.info({ flowId }, 'flow was disabled; enabled it again');
    }
    return ctx.exp.schedule === null ? advance : jump('verify_flow', 'watch_runs');
  } catch (error) {
    return outcomeOfPlatformError(ctx, error, 'verify_flow');
  }
};
