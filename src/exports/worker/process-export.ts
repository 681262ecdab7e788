// The export job: load the row, claim it, and run its steps in order until it finishes, fails or
// has to wait for the Platform. Knows nothing of BullMQ: a wait comes back as `delay` and the
// queue adapter re-schedules the job. Safe to run twice for the same export: a terminal row is
// acked, every write is fenced, and every step skips what is already saved.
import type { Logger } from 'pino';
import { z } from 'zod';
import { Prisma, type Tenant } from '../../generated/prisma/client.js';
import { nextLastError } from '../../last-error.js';
import { notifyExportStatus } from '../../notifications/export-notifications.js';
import { cleanUpCancelledExport } from './cancel-export.js';
import { asStep, isActiveStatus, type ExportError, type ExportStep, type LoadedExport } from './export-model.js';
import { claimExport, FencedExport, isWatchingWhilePaused, LostClaimError } from './fenced-export.js';
import { ReadAhead } from './read-ahead.js';
import { stepHandlers } from './step-handlers.js';
import type { ExportPlatform, StepContext, StepDeps, StepResult } from './step-context.js';
import { loadExport } from './worker-store.js';

export interface ProcessorDeps extends StepDeps {
  platformFor(tenant: Tenant): ExportPlatform;
  log: Logger;
}

/** Kept in the BullMQ job's progress: how often the job already waited at this step. */
export const JobProgressSchema = z.object({ step: z.string(), waits: z.number().int().min(0) });
export type JobProgress = z.infer<typeof JobProgressSchema>;

export type ProcessOutcome = { kind: 'done'; reason: string } | { kind: 'delay'; delayMs: number; progress: JobProgress };

/** A pass that keeps moving without finishing or waiting is a bug; stop it rather than spin. */
const MAX_STEPS_PER_ACTIVATION = 40;
const MAX_CLAIM_ROUNDS = 3;

function resumeStepOf(step: string): ExportStep {
  const s = asStep(step);
  return s === 'pending' || s === 'done' || s === 'cancelled' ? 'governance' : s;
}

function waitsAt(step: ExportStep, progress: unknown): number {
  const parsed = JobProgressSchema.safeParse(progress);
  return parsed.success && parsed.data.step === step ? parsed.data.waits : 0;
}

async function recordFailure(ctx: StepContext, error: ExportError): Promise<void> {
  const at = new Date(ctx.now());
  // One transaction: a reader never sees a failed export with a run still open.
  await ctx.db.$transaction(async (tx) => {
    // The final failed call counts as an attempt (after the ones in a row before it at this step).
    await ctx.fenced.update(tx, { status: 'failed', error: { ...error }, lastError: Prisma.DbNull, attempts: ctx.exp.attempts + 1, finishedAt: at, deadlineAt: null, nextCheckAt: at });
    await tx.exportRun.updateMany({
      where: { exportId: ctx.exp.id, state: { in: ['requested', 'triggering', 'in_progress'] } },
      data: { state: 'failed', completedAt: at, errors: [{ code: error.platformCode ?? error.code, message: error.message }] },
    });
    await notifyExportStatus(tx, ctx.exp, 'failed', at, { code: error.code });
  });
  ctx.log.warn({ error }, 'export failed');
}

async function runSteps(ctx: StepContext, progress: unknown): Promise<ProcessOutcome> {
  let step = resumeStepOf(ctx.exp.step);
  ctx.waits = waitsAt(step, progress);
  for (let i = 0; i < MAX_STEPS_PER_ACTIVATION; i++) {
    const handler = stepHandlers[step];
    const result: StepResult = await handler({ ...ctx, log: ctx.log.child({ step }) });
    switch (result.kind) {
      case 'next':
        if (result.step !== step) {
          // Moving on ends the retries of the step before: its last error goes (src/last-error.ts).
          await ctx.fenced.update(ctx.db, { step: result.step, ...(ctx.exp.lastError === null && ctx.exp.attempts === 0 ? {} : { lastError: Prisma.DbNull, attempts: 0 }) });
          ctx.exp.step = result.step;
          ctx.exp.lastError = null;
          ctx.exp.attempts = 0;
          ctx.waits = 0;
        }
        step = resumeStepOf(result.step);
        continue;
      case 'wait': {
        const nextCheckAt = new Date(ctx.now() + result.delayMs);
        const lastError = result.lastError === undefined ? null : nextLastError(ctx.exp.lastError, result.lastError, step, new Date(ctx.now()), nextCheckAt);
        // `attempts` is the same count as `lastError.attempt`: failed calls in a row at this step.
        // A wait after a call that succeeded (a poll of a healthy recurring export) resets it.
        const attempts = lastError === null ? 0 : lastError.attempt;
        await ctx.fenced.update(ctx.db, {
          status: result.status,
          step,
          nextCheckAt,
          ...(lastError === null ? (ctx.exp.lastError === null ? {} : { lastError: Prisma.DbNull }) : { lastError: { ...lastError } }),
          ...(attempts === ctx.exp.attempts ? {} : { attempts }),
        });
        ctx.exp.lastError = lastError === null ? null : { ...lastError };
        ctx.exp.attempts = attempts;
        ctx.log.debug({ step, delayMs: result.delayMs, reason: result.reason }, 'waiting');
        // A wait that saw progress starts its backoff again (recurring run discovery).
        return { kind: 'delay', delayMs: result.delayMs, progress: { step, waits: result.resetBackoff === true ? 1 : ctx.waits + 1 } };
      }
      case 'fail':
        await recordFailure(ctx, result.error);
        return { kind: 'done', reason: 'failed' };
      case 'finished':
        return { kind: 'done', reason: 'finished' };
    }
  }
  ctx.log.error({ step }, 'export made no progress within one activation; retrying shortly');
  await ctx.fenced.update(ctx.db, { nextCheckAt: new Date(ctx.now() + 1000) });
  return { kind: 'delay', delayMs: 1000, progress: { step, waits: ctx.waits + 1 } };
}

function contextFor(deps: ProcessorDeps, exp: LoadedExport, fenced: FencedExport, log: Logger): StepContext {
  return { ...deps, platform: deps.platformFor(exp.tenant), readAhead: new ReadAhead(), exp, fenced, waits: 0, log };
}

export async function processExport(deps: ProcessorDeps, exportId: string, progress: unknown): Promise<ProcessOutcome> {
  const log = deps.log.child({ exportId });
  for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
    const exp = await loadExport(deps.db, exportId);
    if (exp === null) {
      log.warn('export row not found; job dropped');
      return { kind: 'done', reason: 'missing' };
    }
    if (exp.status === 'cancelled') {
      if (exp.step === 'cancelled') {
        log.info('cancelled export already cleaned up; duplicate delivery acked');
        return { kind: 'done', reason: 'duplicate' };
      }
      // Cancelled rows are cleaned up without a claim; those writes are conditioned on `cancelled`.
      const ctx = contextFor(deps, exp, new FencedExport(exp.id, exp.claims, 'cancelled'), log);
      ctx.waits = waitsAt('cancelled', progress);
      const result = await cleanUpCancelledExport(ctx);
      return result.kind === 'wait'
        ? { kind: 'delay', delayMs: result.delayMs, progress: { step: 'cancelled', waits: ctx.waits + 1 } }
        : { kind: 'done', reason: 'cancelled' };
    }
    if (!isActiveStatus(exp.status) && !isWatchingWhilePaused(exp)) {
      log.info({ status: exp.status }, 'export already finished; duplicate delivery acked');
      return { kind: 'done', reason: 'duplicate' };
    }
    const fenced = await claimExport(deps.db, exp, new Date(deps.now() + deps.settings.runDeadlineSeconds * 1000));
    if (fenced === null) continue;
    const claimedLog = log.child({ claim: fenced.claims });
    try {
      return await runSteps(contextFor(deps, exp, fenced, claimedLog), progress);
    } catch (error) {
      if (!(error instanceof LostClaimError)) throw error;
      const now = await loadExport(deps.db, exportId);
      // Claimed again by another activation (a stalled job re-run): that one carries on. A row the
      // API moved (cancelled, or queued for another run) is decided again here.
      if (now && (['running', 'waiting_for_platform', 'active', 'paused'] as const).some((s) => s === now.status) && now.claims !== fenced.claims) {
        claimedLog.info('another activation claimed this export; stopping');
        return { kind: 'done', reason: 'superseded' };
      }
      claimedLog.info({ status: now?.status }, 'export changed under this activation; deciding again');
    }
  }
  return { kind: 'done', reason: 'contended' };
}

