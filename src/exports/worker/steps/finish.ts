// Final writes of an export pass: succeeded after its last run, timed out at its deadline.
import { Prisma } from '../../../generated/prisma/client.js';
import { notifyExportStatus } from '../../../notifications/export-notifications.js';
import type { StepContext, StepEnd } from '../step-context.js';

export function deadlinePassed(ctx: StepContext): boolean {
  return ctx.exp.deadlineAt !== null && ctx.now() > ctx.exp.deadlineAt.getTime();
}

export async function finishSucceeded(ctx: StepContext): Promise<StepEnd> {
  const at = new Date(ctx.now());
  await ctx.db.$transaction(async (tx) => {
    await ctx.fenced.update(tx, {
      status: 'succeeded',
      step: 'done',
      error: Prisma.DbNull,
      lastError: Prisma.DbNull,
      attempts: 0,
      finishedAt: at,
      deadlineAt: null,
      nextCheckAt: at,
    });
    await notifyExportStatus(tx, ctx.exp, 'succeeded', at);
  });
  ctx.log.info('export succeeded');
  return { kind: 'finished' };
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
