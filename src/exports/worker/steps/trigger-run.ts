// Step `trigger_run`: start the requested run as an ad hoc export on the flow. The run is marked
// `triggering` before the call, so after a crash or a lost answer the worker first looks for a run
// of the flow that started since then and that no export owns, and adopts it instead of starting
// a second one. "Not ready" (the ~10 minutes after a flow is created or enabled) and "a run is
// already going on" wait with backoff, holding no worker slot.
import type { ExportRun } from '../../../generated/prisma/client.js';
import { platformErrorCause } from '../../../last-error.js';
import { isAlreadyExported, PlatformError } from '../../../platform/errors.js';
import { backoffDelayMs } from '../../../jobs/backoff.js';
import { LostClaimError } from '../../../jobs/fencing.js';
import { exportErrorOf, outcomeOfPlatformError, transientDelayMs } from '../platform-outcome.js';
import { advance, fail, jump, wait, type StepContext, type StepEnd, type StepHandler, type StepResult } from '../step-context.js';
import { currentRun, moveRun, ownedPlatformRunIds } from '../worker-store.js';
import { bindingOf } from './binding.js';
import { deadlinePassed, finishSucceeded, finishTimedOut } from './finish.js';

/** Clock skew allowed between our trigger time and the Platform's run createdAt. */
const ADOPTION_SKEW_MS = 60_000;

async function adoptUnownedRun(ctx: StepContext, run: ExportRun, flowId: string): Promise<boolean> {
  if (run.startedAt === null) return false;
  const since = run.startedAt.getTime() - ADOPTION_SKEW_MS;
  const runs = (await ctx.platform.listFlowRuns(flowId, { limit: 20 })).filter((r) => (r.createdAt ?? 0) >= since);
  const owned = await ownedPlatformRunIds(ctx.db, runs.map((r) => r.id));
  const candidate = runs.filter((r) => !owned.has(r.id)).sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0))[0];
  if (candidate === undefined) return false;
  const adopted = await moveRun(ctx.db, run.id, ['triggering'], { state: 'in_progress', platformRunId: candidate.id });
  if (adopted) ctx.log.info({ platformRunId: candidate.id }, 'adopted the run a lost ad hoc answer had started');
  return adopted;
}

function notReadyWait(ctx: StepContext, error: PlatformError): StepEnd {
  const { notReadyRetryInitialMs: initialMs, notReadyRetryMaxMs: maxMs } = ctx.settings;
  return wait(backoffDelayMs(ctx.waits, { initialMs, maxMs }, ctx.random), 'waiting_for_platform', error.plainMessage, platformErrorCause(error));
}

async function onTriggerError(ctx: StepContext, run: ExportRun, flowId: string, error: unknown): Promise<StepResult<'trigger_run'>> {
  if (!(error instanceof PlatformError)) throw error;
  if (error.ambiguous) {
    if (await adoptUnownedRun(ctx, run, flowId)) return advance;
    // Stay `triggering`: the next look adopts the run if the Platform did start it.
    return wait(transientDelayMs(ctx, error.retryAfterMs), 'waiting_for_platform', error.plainMessage, platformErrorCause(error));
  }
  if (error.kind === 'conflict' && (await adoptUnownedRun(ctx, run, flowId))) return advance;
  if (error.kind === 'not_ready' || error.kind === 'conflict') {
    await moveRun(ctx.db, run.id, ['triggering'], { state: 'requested' });
    ctx.log.info({ kind: error.kind }, 'the Platform cannot start the run yet; waiting');
    return notReadyWait(ctx, error);
  }
  if (isAlreadyExported(error)) {
    // Not a silent 0-file success: the run ends with the Platform's answer in plain words.
    await moveRun(ctx.db, run.id, ['triggering'], {
      state: 'failed',
      completedAt: new Date(ctx.now()),
      errors: [{ code: 'already_exported', message: error.plainMessage }],
    });
    return fail(exportErrorOf(error, 'trigger_run', 'already_exported'));
  }
  const outcome = outcomeOfPlatformError(ctx, error, 'trigger_run');
  if (outcome.kind === 'fail') {
    await moveRun(ctx.db, run.id, ['triggering'], {
      state: 'failed',
      completedAt: new Date(ctx.now()),
      errors: [{ code: error.code ?? outcome.error.code, message: error.plainMessage }],
    });
    return fail(exportErrorOf(error, 'trigger_run'));
  }
  await moveRun(ctx.db, run.id, ['triggering'], { state: 'requested' });
  return outcome;
}

export const triggerRunStep: StepHandler<'trigger_run'> = async (ctx) => {
  const run = await currentRun(ctx.db, ctx.exp.id);
  if (run === null) return finishSucceeded(ctx);
  if (run.state === 'in_progress') return advance;
  const binding = await bindingOf(ctx);
  const flowId = binding.flowId;
  if (flowId === null) return jump('trigger_run', 'flow');
  if (deadlinePassed(ctx)) return finishTimedOut(ctx, 'trigger_run');

  try {
    if (run.state === 'triggering' && (await adoptUnownedRun(ctx, run, flowId))) return advance;
  } catch (error) {
    return outcomeOfPlatformError(ctx, error, 'trigger_run');
  }
  // A step saves itself before it writes at the Platform (FencedExport.stageStep).
  await ctx.fenced.saveStep(ctx.db);
  const startedAt = new Date(ctx.now());
  if (!(await moveRun(ctx.db, run.id, ['requested', 'triggering'], { state: 'triggering', startedAt }))) {
    throw new LostClaimError(`run ${run.id} changed under this activation`);
  }
  run.state = 'triggering';
  run.startedAt = startedAt;

  try {
    ctx.crash('trigger_run', 'before');
    const started = await ctx.platform.startAdhocDatasetRun(flowId, ctx.exp.datasetId);
    ctx.crash('trigger_run', 'after');
    if (await moveRun(ctx.db, run.id, ['triggering'], { state: 'in_progress', platformRunId: started.runId })) {
      ctx.started.run = { ...run, state: 'in_progress', platformRunId: started.runId };
    }
    ctx.log.info({ platformRunId: started.runId }, 'ad hoc run started');
    return advance;
  } catch (error) {
    return onTriggerError(ctx, run, flowId, error);
  }
};
