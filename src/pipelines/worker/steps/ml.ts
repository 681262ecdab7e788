// Step `ml`: start the train-and-score job on the ML platform (Databricks run-now) and wait for it.
// The run is started with an idempotency token derived from the step, so a crash between "started"
// and "saved" gets the same run back. The ML platform's callback (POST /webhooks/ml/...) only
// wakes the job early: the step always re-fetches runs/get before moving on, and polls with
// backoff as the fallback for lost callbacks. The job hands its result (scores file, AUC) back as
// its run output (runs/get-output).
import { z } from 'zod';
import { backoffDelayMs } from '../../../exports/worker/backoff.js';
import { generateWebhookSecret } from '../../../webhooks/standard-webhooks.js';
import { TERMINAL_LIFE_CYCLE_STATES } from '../../ml-client.js';
import { mlIdempotencyToken } from '../external-names.js';
import { done, fail, wait } from '../pipeline-model.js';
import { resolvedText } from '../references.js';
import { outcomeOfCallError } from '../pipeline-outcome.js';
import type { StepContext, StepHandler } from '../step-context.js';

const ResultSchema = z.looseObject({
  scores_file: z.string().min(1),
  scored_rows: z.number().optional(),
  auc_holdout: z.number().nullable().optional(),
  auc_train: z.number().nullable().optional(),
});

export function mlCallbackUrl(ctx: Pick<StepContext, 'settings' | 'pipeline' | 'step'>): string {
  return `${ctx.settings.publicUrl.replace(/\/$/, '')}/webhooks/ml/${ctx.pipeline.id}/${encodeURIComponent(ctx.step.name)}`;
}

/** The per-step callback secret: created and saved before the run starts, so a retry sends the same one. */
async function callbackSecret(ctx: StepContext<'ml'>): Promise<string> {
  if (ctx.step.webhookSecretSealed !== null) return ctx.secrets.open(ctx.step.webhookSecretSealed);
  const secret = generateWebhookSecret();
  const sealed = ctx.secrets.seal(secret);
  await ctx.fenced.updateStep(ctx.db, ctx.step.id, { webhookSecretSealed: sealed });
  ctx.step.webhookSecretSealed = sealed;
  return secret;
}

async function jobParameters(ctx: StepContext<'ml'>): Promise<Record<string, string>> {
  const def = ctx.definition;
  const parameters: Record<string, string> = {
    ...def.parameters,
    training_path: resolvedText(def.trainingPath),
    scores_path: def.scoresPath ?? `pipelines/${ctx.pipeline.id}/${ctx.step.name}`,
  };
  if (def.callback !== 'none') parameters.callback_url = mlCallbackUrl(ctx);
  if (def.callback === 'signed') parameters.callback_secret = await callbackSecret(ctx);
  return parameters;
}

async function startRun(ctx: StepContext<'ml'>): Promise<number> {
  const jobId = ctx.definition.jobId ?? ctx.settings.mlPlatform.jobId;
  const parameters = await jobParameters(ctx);
  ctx.crash('ml', 'before');
  const { runId } = await ctx.mlFor(ctx.pipeline).runNow({ jobId, parameters, idempotencyToken: mlIdempotencyToken(ctx.identity) });
  ctx.crash('ml', 'after');
  await ctx.saveIds({ mlRunId: runId, mlJobId: jobId });
  ctx.log.info({ mlRunId: runId, jobId }, 'ML run started');
  return runId;
}

export const mlStep: StepHandler<'ml'> = async (ctx) => {
  try {
    const saved = ctx.ids.mlRunId;
    const runId = typeof saved === 'number' ? saved : await startRun(ctx);
    const ml = ctx.mlFor(ctx.pipeline);
    // Authoritative status, whatever a callback said.
    const run = await ml.getRun(runId);
    const state = run.state;
    if (!TERMINAL_LIFE_CYCLE_STATES.has(state.life_cycle_state)) {
      const { mlPollInitialMs: initialMs, mlPollMaxMs: maxMs } = ctx.settings.pipelines;
      return wait(backoffDelayMs(ctx.waits, { initialMs, maxMs }, ctx.random), `the ML run is ${state.life_cycle_state}`);
    }
    if (state.result_state !== 'SUCCESS') {
      return fail('ml_run_failed', `ML run ${runId} ended ${state.life_cycle_state}/${state.result_state ?? 'no result'}${state.state_message ? `: ${state.state_message}` : '.'}`, {
        ...(state.result_state === undefined ? {} : { platformCode: state.result_state }),
        ...(state.state_message === '' ? {} : { platformMessage: state.state_message }),
      });
    }
    const output = await ml.getRunOutput(runId);
    const parsed = ResultSchema.safeParse(output.result === undefined ? undefined : JSON.parse(output.result));
    if (!parsed.success) return fail('ml_output_missing', `ML run ${runId} succeeded but returned no scores file in its output.`);
    const result = parsed.data;
    ctx.log.info({ mlRunId: runId, scoresFile: result.scores_file, auc: result.auc_holdout }, 'ML run succeeded');
    return done({
      mlRunId: runId,
      scoresFile: result.scores_file,
      scoredRows: result.scored_rows ?? null,
      auc: result.auc_holdout ?? null,
      aucTrain: result.auc_train ?? null,
      runPageUrl: run.run_page_url ?? null,
    });
  } catch (error) {
    if (error instanceof SyntaxError) return fail('ml_output_invalid', `The ML run's output is not JSON: ${error.message}`);
    return outcomeOfCallError(ctx, error);
  }
};
