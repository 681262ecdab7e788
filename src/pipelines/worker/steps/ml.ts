// Step `ml`: start the train-and-score job on the ML platform (Databricks run-now) and wait for it.
// The run is started with an idempotency token derived from the step, so a crash between "started"
// and "saved" gets the same run back. The ML platform's callback (POST /webhooks/ml/...) only
// wakes the job early: the step always re-fetches runs/get before moving on, and polls with
// backoff as the fallback for lost callbacks. Storage goes as URIs plus signed URLs
// (ml-storage-handoff.ts); the job hands its result (the scores file's URI, AUC) back as its run
// output (runs/get-output), and the step checks the scores file is where it was asked to be.
import { backoffDelayMs } from '../../../jobs/backoff.js';
import { RunResultSchema } from '../../../ml-contract/run-result.js';
import { generateWebhookSecret } from '../../../webhooks/standard-webhooks.js';
import { TERMINAL_LIFE_CYCLE_STATES } from '../../ml-client.js';
import { mlIdempotencyToken } from '../external-names.js';
import { done, fail, wait } from '../pipeline-model.js';
import { outcomeOfCallError } from '../pipeline-outcome.js';
import type { StepContext, StepHandler } from '../step-context.js';
import { StepLocationSchema, withLocation, type StepLocation } from '../storage-locations.js';
import { MlHandoffError, prepareMlHandoff } from './ml-storage-handoff.js';

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

async function startRun(ctx: StepContext<'ml'>): Promise<number> {
  const def = ctx.definition;
  const jobId = def.jobId ?? ctx.settings.mlPlatform.jobId;
  const handoff = await prepareMlHandoff(ctx);
  // Saved before the run starts: after a crash the step still knows where the scores go.
  await ctx.saveIds({ scoresLocation: handoff.scores });
  // The storage parameters win over same-named extra parameters.
  const parameters: Record<string, string> = { ...def.parameters, ...handoff.parameters };
  if (def.callback !== 'none') parameters.callback_url = mlCallbackUrl(ctx);
  if (def.callback === 'signed') parameters.callback_secret = await callbackSecret(ctx);
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
    const parsed = RunResultSchema.safeParse(output.result === undefined ? undefined : JSON.parse(output.result));
    if (!parsed.success) return fail('ml_output_missing', `ML run ${runId} succeeded but returned no scores_uri in its output.`);
    const result = parsed.data;
    const scores = StepLocationSchema.safeParse(ctx.ids.scoresLocation);
    if (!scores.success) return fail('ml_output_missing', `ML run ${runId} has no recorded scores location; retry the step.`);
    const problem = await scoresProblem(ctx, scores.data, result.scores_uri);
    if (problem !== null) return fail('ml_output_invalid', `ML run ${runId}: ${problem}`);
    ctx.log.info({ mlRunId: runId, scoresUri: result.scores_uri, auc: result.auc_holdout }, 'ML run succeeded');
    return done({
      mlRunId: runId,
      scores: scores.data,
      scoresUri: result.scores_uri,
      scoredRows: result.scored_rows ?? null,
      auc: result.auc_holdout ?? null,
      aucTrain: result.auc_train ?? null,
      runPageUrl: run.run_page_url ?? null,
    });
  } catch (error) {
    if (error instanceof SyntaxError) return fail('ml_output_invalid', `The ML run's output is not JSON: ${error.message}`);
    if (error instanceof MlHandoffError) return fail(error.code, error.message);
    return outcomeOfCallError(ctx, error);
  }
};

/** The job must report the scores URI it was given, and the file must be there. */
async function scoresProblem(ctx: StepContext<'ml'>, scores: StepLocation, reportedUri: string): Promise<string | null> {
  if (reportedUri !== scores.uri) return `it reported scores at ${reportedUri}, but was asked to write them to ${String(scores.uri)}.`;
  const stored = await withLocation(ctx, scores, 'ingestible', ({ store, location }) => store.stat(location.path));
  return stored === null ? `it reported success, but there is no scores file at ${reportedUri}.` : null;
}
