// Final writes of an export pass: succeeded after its last run, timed out at its deadline.
import { Prisma } from '../../../generated/prisma/client.js';
import { notifyExportStatus, withNotificationTx } from '../../../notifications/export-notifications.js';
import { openRunStates } from '../export-model.js';
import { currentRun } from '../worker-store.js';
import type { StepContext, StepEnd } from '../step-context.js';

export function deadlinePassed(ctx: StepContext): boolean {
  return ctx.exp.deadlineAt !== null && ctx.now() > ctx.exp.deadlineAt.getTime();
}

function succeededPatch(at: Date) {
  return { status: 'succeeded', step: 'done', error: Prisma.DbNull, lastError: Prisma.DbNull, attempts: 0, finishedAt: at, deadlineAt: null, nextCheckAt: at } as const;
}

export async function finishSucceeded(ctx: StepContext): Promise<StepEnd> {
  const at = new Date(ctx.now());
  await withNotificationTx(ctx.db, ctx.exp, async (tx) => {
    await ctx.fenced.update(tx, succeededPatch(at));
    await notifyExportStatus(tx, ctx.exp, 'succeeded', at);
  });
  ctx.log.info('export succeeded');
  return { kind: 'finished' };
}

/**
 * Succeeds the export in one write if none of its runs is open (none was requested meanwhile);
 * null when one is. Throws LostClaimError when the row moved under this activation.
 */
export async function finishSucceededUnlessRunOpen(ctx: StepContext): Promise<StepEnd | null> {
  const at = new Date(ctx.now());
  const finished = await withNotificationTx(ctx.db, ctx.exp, async (tx) => {
    const written = await ctx.fenced.updateIf(tx, succeededPatch(at), { runs: { none: { state: { in: [...openRunStates] } } } });
    if (written) await notifyExportStatus(tx, ctx.exp, 'succeeded', at);
    return written;
  });
  if (finished) {
    ctx.log.info('export succeeded');
    return { kind: 'finished' };
  }
  // Not written: a run is open, or the row moved (then the fenced check throws).
  if ((await currentRun(ctx.db, ctx.exp.id)) !== null) return null;
  return finishSucceeded(ctx);
}

export async function finishTimedOut(ctx: StepContext, step: 'trigger_run' | 'poll_run'): Promise<StepEnd> {
  const at = new Date(ctx.now());
  const deadline = ctx.exp.deadlineAt?.toISOString() ?? 'its deadline';
  const message = `The Platform run did not finish before the export's deadline (${deadline}); the export stopped waiting for it.`;
  await ctx.db.$transaction(async (tx) => {
    await ctx.fenced.update(tx, {
      status: 'timed_out',
      step,
      error: { code: 'run_timed_out', message, step },
      lastError: Prisma.DbNull,
      finishedAt: at,
      deadlineAt: null,
      nextCheckAt: at,
    });
    await tx.exportRun.updateMany({
      where: { exportId: ctx.exp.id, state: { in: ['requested', 'triggering', 'in_progress'] } },
      data: { state: 'timed_out', completedAt: at, errors: [{ code: 'run_timed_out', message }] },
    });
    await notifyExportStatus(tx, ctx.exp, 'timed_out', at, { code: 'run_timed_out' });
  });
  ctx.log.warn('export timed out');
  return { kind: 'finished' };
}
