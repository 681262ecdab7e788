// A cancelled export: disable its flow at the Platform unless another active export still uses
// it (on-demand exports share a parked flow), end its open runs, and mark the clean-up done by
// moving the step to `cancelled` (the API sets status and finishedAt when it accepts the cancel).
// Every part is idempotent, so a duplicate delivery only re-checks.
import { notifyExportStatus } from '../../notifications/export-notifications.js';
import { PlatformError } from '../../platform/errors.js';
import type { LoadedExport } from './export-model.js';
import { exportErrorOf, transientDelayMs } from './platform-outcome.js';
import type { StepContext, StepEnd } from './step-context.js';
import { cancelOpenRuns, otherActiveExportsOnBinding } from './worker-store.js';

async function disableFlowIfUnused(ctx: StepContext, exp: LoadedExport): Promise<void> {
  const binding = exp.flowBinding;
  if (binding?.flowId == null) return;
  if ((await otherActiveExportsOnBinding(ctx.db, binding.id, exp.id)) > 0) {
    ctx.log.info({ flowId: binding.flowId }, 'flow still used by another export; left enabled');
    return;
  }
  try {
    const flow = await ctx.platform.getFlow(binding.flowId);
    if ((flow.state ?? '').toLowerCase() === 'disabled') return;
  } catch (error) {
    if (error instanceof PlatformError && error.kind === 'not_found') return;
    throw error;
  }
  ctx.crash('cancel', 'before');
  await ctx.platform.disableFlow(binding.flowId);
  ctx.crash('cancel', 'after');
  ctx.log.info({ flowId: binding.flowId }, 'flow disabled after cancel');
}

/** Cleans up a cancelled export; a `wait` result means "try again later" (Platform trouble). */
export async function cleanUpCancelledExport(ctx: StepContext): Promise<StepEnd> {
  const exp = ctx.exp;
  const at = new Date(ctx.now());
  let platformFailure: PlatformError | undefined;
  try {
    await disableFlowIfUnused(ctx, exp);
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error;
    if (error.retryable || error.kind === 'conflict') {
      const delayMs = transientDelayMs(ctx, error.retryAfterMs);
      await ctx.db.export.updateMany({ where: { id: exp.id, status: 'cancelled' }, data: { nextCheckAt: new Date(ctx.now() + delayMs) } });
      return { kind: 'wait', delayMs, status: 'running', reason: error.plainMessage };
    }
    // The flow cannot be disabled (e.g. a permission is missing): say so on the export, finish.
    platformFailure = error;
  }
  await cancelOpenRuns(ctx.db, exp.id, at);
  await ctx.db.$transaction(async (tx) => {
    const { count } = await tx.export.updateMany({
      where: { id: exp.id, status: 'cancelled', step: { not: 'cancelled' } },
      data: {
        step: 'cancelled',
        finishedAt: exp.finishedAt ?? at,
        nextCheckAt: at,
        ...(platformFailure ? { error: { ...exportErrorOf(platformFailure, 'cancel'), message: `Cancelled, but the flow could not be disabled: ${platformFailure.plainMessage}` } } : {}),
      },
    });
    // The cancel itself is the API's write; its notification goes out with this clean-up, once.
    if (count === 1) await notifyExportStatus(tx, exp, 'cancelled', at);
  });
  ctx.log.info('cancelled export cleaned up');
  return { kind: 'finished' };
}
