// The export job: its steps run by the shared durable step runner (src/jobs/step-runner.ts), which
// loads the row, claims it and runs the steps in order until the export finishes, fails or has to
// wait for the Platform. Safe to run twice for the same export: a terminal row is acked, every
// write is fenced, and every step skips what is already saved.
import type { Logger } from 'pino';
import { Prisma, type Tenant } from '../../generated/prisma/client.js';
import { runDurableJob, waitsAt, type JobOutcome, type StepPass } from '../../jobs/step-runner.js';
import { nextLastError } from '../../last-error.js';
import { notifyExportStatus } from '../../notifications/export-notifications.js';
import { cleanUpCancelledExport } from './cancel-export.js';
import { asStep, isActiveStatus, type ExportError, type LoadedExport } from './export-model.js';
import { claimExport, FencedExport, isWatchingWhilePaused } from './fenced-export.js';
import { ReadAhead } from './read-ahead.js';
import { stepHandlers } from './step-handlers.js';
import type { Advance, ExportPlatform, Jump, StepContext, StepDeps, StepEnd } from './step-context.js';
import { loadExport } from './worker-store.js';
import { stepAfter, type WorkflowStep } from './workflow.js';

export interface ProcessorDeps extends StepDeps {
  platformFor(tenant: Tenant): ExportPlatform;
  log: Logger;
}

export type ProcessOutcome = JobOutcome;

/** The statuses of a claimed export (a queued one was put back by the API: decided again). */
const claimedStatuses = ['running', 'waiting_for_platform', 'active', 'paused'] as const;

/** Where a pass resumes: the saved step; a new pass (`pending`, or `done` after a run) at the start. */
function resumeStepOf(step: string): WorkflowStep {
  const s = asStep(step);
  return s === 'pending' || s === 'done' || s === 'cancelled' ? 'governance' : s;
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

/** Where an answer that moves on leads (workflow.ts). */
function stepOf(step: WorkflowStep, result: Advance | Jump): WorkflowStep {
  if (result.kind === 'advance') return stepAfter(step);
  if (result.from !== step) throw new Error(`export step ${step} answered a jump from ${result.from}`);
  return result.to;
}

async function moveTo(ctx: StepContext, step: WorkflowStep, to: WorkflowStep): Promise<void> {
  if (to === step) return;
  // Moving on ends the retries of the step before: its last error goes at once (src/last-error.ts).
  // Otherwise the move is written with the row's next write (FencedExport.stageStep).
  if (ctx.exp.lastError === null && ctx.exp.attempts === 0) ctx.fenced.stageStep(to);
  else await ctx.fenced.update(ctx.db, { step: to, lastError: Prisma.DbNull, attempts: 0 });
  ctx.exp.step = to;
  ctx.exp.lastError = null;
  ctx.exp.attempts = 0;
  ctx.waits = 0;
}

/** Records how a step ended this activation. */
async function recordEnd(ctx: StepContext, step: WorkflowStep, result: StepEnd): Promise<JobOutcome> {
  switch (result.kind) {
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

function stepPass(ctx: StepContext, progress: unknown): StepPass {
  let step = resumeStepOf(ctx.exp.step);
  ctx.waits = waitsAt(step, progress);
  return {
    async runStep() {
      const result = await stepHandlers[step]({ ...ctx, log: ctx.log.child({ step }) });
      if (result.kind !== 'advance' && result.kind !== 'jump') return recordEnd(ctx, step, result);
      const to = stepOf(step, result);
      await moveTo(ctx, step, to);
      step = to;
      return null;
    },
    position: () => ({ step, progress: { step, waits: ctx.waits + 1 } }),
  };
}

function contextFor(deps: ProcessorDeps, exp: LoadedExport, fenced: FencedExport, log: Logger): StepContext {
  return { ...deps, platform: deps.platformFor(exp.tenant), readAhead: new ReadAhead(), started: {}, exp, fenced, waits: 0, log };
}

async function cleanUpCancelled(deps: ProcessorDeps, exp: LoadedExport, progress: unknown, log: Logger): Promise<JobOutcome> {
  if (exp.step === 'cancelled') {
    log.info('cancelled export already cleaned up; duplicate delivery acked');
    return { kind: 'done', reason: 'duplicate' };
  }
  // Cancelled rows are cleaned up without a claim; those writes are conditioned on `cancelled`.
  const ctx = contextFor(deps, exp, new FencedExport(exp.id, exp.claims, 'cancelled'), log);
  ctx.waits = waitsAt('cancelled', progress);
  const result = await cleanUpCancelledExport(ctx);
  return result.kind === 'wait' ? { kind: 'delay', delayMs: result.delayMs, progress: { step: 'cancelled', waits: ctx.waits + 1 } } : { kind: 'done', reason: 'cancelled' };
}

export async function processExport(deps: ProcessorDeps, exportId: string, progress: unknown): Promise<ProcessOutcome> {
  const log = deps.log.child({ exportId });
  return runDurableJob<LoadedExport, FencedExport>(
    deps,
    {
      noun: 'export',
      load: () => loadExport(deps.db, exportId),
      isActive: (exp) => isActiveStatus(exp.status) || isWatchingWhilePaused(exp),
      cleanUpCancelled: (exp) => cleanUpCancelled(deps, exp, progress, log),
      claim: (exp) => claimExport(deps.db, exp, new Date(deps.now() + deps.settings.runDeadlineSeconds * 1000)),
      claimCounter: { ofRow: (exp) => exp.claims, ofClaim: (fenced) => fenced.claims, name: 'claim' },
      claimedStatuses,
      pass: (exp, fenced, claimedLog) => stepPass(contextFor(deps, exp, fenced, claimedLog), progress),
    },
    log,
  );
}
