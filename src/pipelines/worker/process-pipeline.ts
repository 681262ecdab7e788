// The pipeline job: its steps run by the shared durable step runner (src/jobs/step-runner.ts),
// which loads the row, claims it and runs the steps in order until the pipeline finishes, fails or
// has to wait (the Platform, the ML platform, the export worker). Safe to run twice for the same
// pipeline: a terminal row is acked, every write is fenced, every step resumes from its saved ids.
import type { Logger } from 'pino';
import type { Prisma } from '../../generated/prisma/client.js';
import { runDurableJob, waitsAt, type JobOutcome, type StepPass } from '../../jobs/step-runner.js';
import { isActivePipelineStatus } from '../pipeline-status.js';
import { cleanUpCancelledPipeline } from './cancel-pipeline.js';
import { claimPipeline, type FencedPipeline } from './fenced-pipeline.js';
import { removeSupersededLeftovers } from './leftovers.js';
import { definitionOf, jsonRecord, loadPipeline, type LoadedPipeline, type PipelineError } from './pipeline-model.js';
import { resolveReferences } from './references.js';
import type { PipelineDeps, StepContext } from './step-context.js';
import { runStepHandler } from './step-handlers.js';
import { failStep, finishPipeline, finishStep, startStep, touchStep, waitAtStep, type TransitionContext } from './step-transitions.js';

export interface PipelineProcessorDeps extends PipelineDeps {
  log: Logger;
}

export type PipelineOutcome = JobOutcome;

function progressKey(pipeline: LoadedPipeline): string {
  const step = pipeline.steps[pipeline.currentStep];
  return step === undefined ? 'end' : `${step.index}:${step.generation}`;
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

function stepPass(deps: PipelineProcessorDeps, pipeline: LoadedPipeline, fenced: FencedPipeline, progress: unknown, log: Logger): StepPass {
  const t: TransitionContext = { db: deps.db, fenced, pipeline, now: deps.now };
  let waits = waitsAt(progressKey(pipeline), progress);
  return {
    async runStep() {
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
        return null;
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
          return null;
        case 'fail':
          await failStep(t, step, { ...outcome.error, step: step.name });
          ctx.log.warn({ error: outcome.error }, 'step failed; pipeline failed');
          return { kind: 'done', reason: 'failed' };
      }
    },
    position: () => ({ step: pipeline.currentStep, progress: { step: progressKey(pipeline), waits: waits + 1 } }),
  };
}

async function cleanUpCancelled(deps: PipelineProcessorDeps, pipeline: LoadedPipeline, progress: unknown, log: Logger): Promise<JobOutcome> {
  const waits = waitsAt('cancelled', progress);
  const result = await cleanUpCancelledPipeline({ ...deps, log, waits }, pipeline);
  return result.kind === 'wait' ? { kind: 'delay', delayMs: result.delayMs, progress: { step: 'cancelled', waits: waits + 1 } } : { kind: 'done', reason: 'cancelled' };
}

/** The statuses of a claimed pipeline. */
const claimedStatuses = ['running', 'waiting'] as const;

export async function processPipeline(deps: PipelineProcessorDeps, pipelineId: string, progress: unknown): Promise<PipelineOutcome> {
  const log = deps.log.child({ pipelineId });
  return runDurableJob<LoadedPipeline, FencedPipeline>(
    deps,
    {
      noun: 'pipeline',
      load: () => loadPipeline(deps.db, pipelineId),
      isActive: (pipeline) => isActivePipelineStatus(pipeline.status),
      cleanUpCancelled: (pipeline) => cleanUpCancelled(deps, pipeline, progress, log),
      claim: (pipeline) => claimPipeline(deps.db, pipeline, new Date(deps.now() + deps.settings.pipelines.deadlineSeconds * 1000), new Date(deps.now())),
      claimCounter: { ofRow: (pipeline) => pipeline.attempts, ofClaim: (fenced) => fenced.attempts, name: 'attempt' },
      claimedStatuses,
      pass: (pipeline, fenced, claimedLog) => stepPass(deps, pipeline, fenced, progress, claimedLog),
    },
    log,
  );
}
