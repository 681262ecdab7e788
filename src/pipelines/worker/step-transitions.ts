// The writes that move a step and its pipeline, each in one transaction with the notification it
// owes the callbackUrl (outbox), and each fenced by this activation's claim on the pipeline.
// Every transaction writes the pipeline row before its step rows, the order a cancel
// (markPipelineCancelled) and a retry take too: two transactions locking the two rows in opposite
// orders deadlock, and Postgres then aborts one of them (a cancel answered 500).
import { Prisma } from '../../generated/prisma/client.js';
import { nextLastError, type LastErrorCause, type StoredLastError } from '../../last-error.js';
import { notifyPipelineStatus, notifyStepState } from '../../notifications/pipeline-notifications.js';
import type { LoadedPipeline, PipelineError } from './pipeline-model.js';
import type { FencedPipeline } from './fenced-pipeline.js';
import type { Db } from '../../db/client.js';
import type { PipelineStep } from '../../generated/prisma/client.js';

export interface TransitionContext {
  db: Db;
  fenced: FencedPipeline;
  pipeline: LoadedPipeline;
  now: () => number;
}

export async function startStep(ctx: TransitionContext, step: PipelineStep): Promise<void> {
  const at = new Date(ctx.now());
  await ctx.db.$transaction(async (tx) => {
    // Lock the pipeline row first: a cancel committing meanwhile then either waits for this start
    // (and marks the started step cancelling) or wins (and this start touches nothing). Without
    // the lock a cancel could slip between the fence check and the step write, leaving a step
    // "running" under a cancelled pipeline with its query never cancelled.
    await ctx.fenced.update(tx, { updatedAt: at });
    await ctx.fenced.updateStep(tx, step.id, { state: 'running', startedAt: at, attempts: { increment: 1 } });
    await notifyStepState(tx, ctx.pipeline, step, 'started', at);
  });
  step.state = 'running';
  step.startedAt = at;
  step.attempts += 1;
}

export async function touchStep(ctx: TransitionContext, step: PipelineStep): Promise<void> {
  await ctx.fenced.updateStep(ctx.db, step.id, { attempts: { increment: 1 } });
  step.attempts += 1;
}

/** The step waits; with the failed call it will retry (or another job's, relayed), else its last error goes. */
export async function waitAtStep(
  ctx: TransitionContext,
  step: PipelineStep,
  delayMs: number,
  retry: { lastError?: LastErrorCause; relayedLastError?: StoredLastError } = {},
): Promise<void> {
  const at = new Date(ctx.now());
  const nextCheckAt = new Date(at.getTime() + delayMs);
  const lastError =
    retry.relayedLastError ?? (retry.lastError === undefined ? null : nextLastError(step.lastError, retry.lastError, step.name, at, nextCheckAt));
  await ctx.db.$transaction(async (tx) => {
    await ctx.fenced.update(tx, { status: 'waiting', nextCheckAt });
    await ctx.fenced.updateStep(tx, step.id, { state: 'waiting', lastError: lastError === null ? Prisma.DbNull : { ...lastError } });
  });
  step.state = 'waiting';
  step.lastError = lastError === null ? null : { ...lastError };
}

export async function finishStep(ctx: TransitionContext, step: PipelineStep, outputs: Record<string, unknown>): Promise<void> {
  const at = new Date(ctx.now());
  await ctx.db.$transaction(async (tx) => {
    await ctx.fenced.update(tx, { currentStep: step.index + 1 });
    await ctx.fenced.updateStep(tx, step.id, { state: 'succeeded', outputs: outputs as Prisma.InputJsonObject, finishedAt: at, error: Prisma.DbNull, lastError: Prisma.DbNull });
    await notifyStepState(tx, ctx.pipeline, step, 'succeeded', at);
  });
  step.state = 'succeeded';
  step.outputs = outputs as Prisma.JsonObject;
  step.finishedAt = at;
  ctx.pipeline.currentStep = step.index + 1;
}

/** The step and the pipeline end failed (one transaction: no reader sees one without the other). */
export async function failStep(ctx: TransitionContext, step: PipelineStep | null, error: PipelineError): Promise<void> {
  const at = new Date(ctx.now());
  await ctx.db.$transaction(async (tx) => {
    await ctx.fenced.update(tx, { status: 'failed', error: { ...error }, finishedAt: at, deadlineAt: null, nextCheckAt: at });
    if (step !== null) {
      await ctx.fenced.updateStep(tx, step.id, { state: 'failed', error: { ...error }, lastError: Prisma.DbNull, finishedAt: at });
      await notifyStepState(tx, ctx.pipeline, step, 'failed', at);
    }
    await notifyPipelineStatus(tx, ctx.pipeline, 'failed', at, { step: error.step, code: error.code });
  });
}

export async function finishPipeline(ctx: TransitionContext): Promise<void> {
  const at = new Date(ctx.now());
  await ctx.db.$transaction(async (tx) => {
    await ctx.fenced.update(tx, { status: 'succeeded', finishedAt: at, deadlineAt: null, nextCheckAt: at });
    await notifyPipelineStatus(tx, ctx.pipeline, 'succeeded', at);
  });
}
