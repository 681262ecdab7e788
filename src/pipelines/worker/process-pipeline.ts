// The pipeline job: load the row, claim it, and run its steps in order until it finishes, fails or
// has to wait (the Platform, the ML platform, the export worker). Knows nothing of BullMQ: a wait
// comes back as `delay` and the queue adapter re-schedules the job. Safe to run twice for the same
// pipeline: a terminal row is acked, every write is fenced, every step resumes from its saved ids.
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Prisma } from '../../generated/prisma/client.js';
import { isActivePipelineStatus } from '../pipeline-status.js';
import { cleanUpCancelledPipeline } from './cancel-pipeline.js';
import type { FencedPipeline} from './fenced-pipeline.js';
import { claimPipeline, LostClaimError } from './fenced-pipeline.js';
import { removeSupersededLeftovers } from './leftovers.js';
import { definitionOf, jsonRecord, loadPipeline, type LoadedPipeline, type PipelineError } from './pipeline-model.js';
import { resolveReferences } from './references.js';
import type { PipelineDeps, StepContext } from './step-context.js';
import { runStepHandler } from './step-handlers.js';
import { failStep, finishPipeline, finishStep, startStep, touchStep, waitAtStep, type TransitionContext } from './step-transitions.js';

export interface PipelineProcessorDeps extends PipelineDeps {
  log: Logger;
}

/** Kept in the BullMQ job's progress: how often the job already waited at this step. */
export const PipelineProgressSchema = z.object({ step: z.string(), waits: z.number().int().min(0) });
export type PipelineProgress = z.infer<typeof PipelineProgressSchema>;

export type PipelineOutcome = { kind: 'done'; reason: string } | { kind: 'delay'; delayMs: number; progress: PipelineProgress };

/** A pass that keeps moving without finishing or waiting is a bug; stop it rather than spin. */
const MAX_STEPS_PER_ACTIVATION = 40;
const MAX_CLAIM_ROUNDS = 3;

function progressKey(pipeline: LoadedPipeline): string {
  const step = pipeline.steps[pipeline.currentStep];
  return step === undefined ? 'end' : `${step.index}:${step.generation}`;
}

function waitsAt(key: string, progress: unknown): number {
  const parsed = PipelineProgressSchema.safeParse(progress);
  return parsed.success && parsed.data.step === key ? parsed.data.waits : 0;
}

function stepContext(deps: PipelineProcessorDeps, pipeline: LoadedPipeline, fenced: FencedPipeline, index: number, waits: number, log: Logger): StepContext | { error: string } {
  const step = pipeline.steps[index];
  const definition = definitionOf(pipeline)[index];
  if (step === undefined || definition === undefined) return { error: `pipeline ${pipeline.id} has no step ${index}` };
  const resolved = resolveReferences(definition, pipeline.steps);
  if (!resolved.ok) return { error: resolved.message };
  const ids = jsonRecord(step.externalIds);
  return {
    ...deps,
    pipeline,
    fenced,
    step,
    definition: resolved.definition,
    identity: { pipelineId: pipeline.id, stepName: step.name, generation: step.generation },
    ids,
    async saveIds(patch) {
      Object.assign(ids, patch);
      await fenced.updateStep(deps.db, step.id, { externalIds: { ...ids } as Prisma.InputJsonObject });
      step.externalIds = { ...ids } as Prisma.JsonObject;
    },
    waits,
    platform: deps.platformFor(pipeline),
    log: log.child({ step: step.name, kind: step.kind }),
  };
}

async function runSteps(deps: PipelineProcessorDeps, pipeline: LoadedPipeline, fenced: FencedPipeline, progress: unknown, log: Logger): Promise<PipelineOutcome> {
  const t: TransitionContext = { db: deps.db, fenced, pipeline, now: deps.now };
  let waits = waitsAt(progressKey(pipeline), progress);
  for (let i = 0; i < MAX_STEPS_PER_ACTIVATION; i++) {
    const index = pipeline.currentStep;
    const step = pipeline.steps[index];
    if (step === undefined) {
      await finishPipeline(t);
      log.info('pipeline succeeded');
      await removeSupersededLeftovers({ ...deps, log }, pipeline).catch((error: unknown) => {
        log.warn({ err: error }, "clean-up of earlier runs' Platform objects failed; the next successful run tries again");
      });
      return { kind: 'done', reason: 'succeeded' };
    }
    if (pipeline.deadlineAt !== null && deps.now() > pipeline.deadlineAt.getTime()) {
      const error: PipelineError = { code: 'pipeline_timed_out', message: `The pipeline did not finish before its deadline (${pipeline.deadlineAt.toISOString()}).`, step: step.name };
      await failStep(t, step, error);
      return { kind: 'done', reason: 'failed' };
    }
    if (step.state === 'succeeded') {
      await fenced.update(deps.db, { currentStep: index + 1 });
      pipeline.currentStep = index + 1;
      waits = 0;
      continue;
    }
    if (step.state === 'pending') await startStep(t, step);
    else await touchStep(t, step);

    const ctx = stepContext(deps, pipeline, fenced, index, waits, log);
    if ('error' in ctx) {
      await failStep(t, step, { code: 'reference_unresolved', message: ctx.error, step: step.name });
      return { kind: 'done', reason: 'failed' };
    }
    const outcome = await runStepHandler(ctx);
    switch (outcome.kind) {
      case 'wait':
        await waitAtStep(t, step, outcome.delayMs, outcome);
        ctx.log.debug({ delayMs: outcome.delayMs, reason: outcome.reason }, 'waiting');
        return { kind: 'delay', delayMs: outcome.delayMs, progress: { step: progressKey(pipeline), waits: waits + 1 } };
      case 'done':
        await finishStep(t, step, outcome.outputs);
        ctx.log.info({ outputs: outcome.outputs }, 'step succeeded');
        waits = 0;
        continue;
      case 'fail':
        await failStep(t, step, { ...outcome.error, step: step.name });
        ctx.log.warn({ error: outcome.error }, 'step failed; pipeline failed');
        return { kind: 'done', reason: 'failed' };
    }
  }
  log.error({ step: pipeline.currentStep }, 'pipeline made no progress within one activation; retrying shortly');
  await fenced.update(deps.db, { nextCheckAt: new Date(deps.now() + 1000) });
  return { kind: 'delay', delayMs: 1000, progress: { step: progressKey(pipeline), waits: waits + 1 } };
}

export async function processPipeline(deps: PipelineProcessorDeps, pipelineId: string, progress: unknown): Promise<PipelineOutcome> {
  const log = deps.log.child({ pipelineId });
  for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
    const pipeline = await loadPipeline(deps.db, pipelineId);
    if (pipeline === null) {
      log.warn('pipeline row not found; job dropped');
      return { kind: 'done', reason: 'missing' };
    }
    if (pipeline.status === 'cancelled') {
      const waits = waitsAt('cancelled', progress);
      const result = await cleanUpCancelledPipeline({ ...deps, log, waits }, pipeline);
      return result.kind === 'wait' ? { kind: 'delay', delayMs: result.delayMs, progress: { step: 'cancelled', waits: waits + 1 } } : { kind: 'done', reason: 'cancelled' };
    }
    if (!isActivePipelineStatus(pipeline.status)) {
      log.info({ status: pipeline.status }, 'pipeline already finished; duplicate delivery acked');
      return { kind: 'done', reason: 'duplicate' };
    }
    const deadline = new Date(deps.now() + deps.settings.pipelines.deadlineSeconds * 1000);
    const fenced = await claimPipeline(deps.db, pipeline, deadline, new Date(deps.now()));
    if (fenced === null) continue;
    const claimedLog = log.child({ attempt: fenced.attempts });
    try {
      return await runSteps(deps, pipeline, fenced, progress, claimedLog);
    } catch (error) {
      if (!(error instanceof LostClaimError)) throw error;
      const now = await loadPipeline(deps.db, pipelineId);
      if (now && (now.status === 'running' || now.status === 'waiting') && now.attempts !== fenced.attempts) {
        claimedLog.info('another activation claimed this pipeline; stopping');
        return { kind: 'done', reason: 'superseded' };
      }
      claimedLog.info({ status: now?.status }, 'pipeline changed under this activation; deciding again');
    }
  }
  return { kind: 'done', reason: 'contended' };
}
