// Step `ingest`: the ML run's scores file into the profile-enabled scores dataset by batch
// ingestion. The batch carries a deterministic externalId, looked for among the dataset's batches
// before one is created; the file upload replaces by name and COMPLETE is retry-safe, so a crash
// anywhere resumes without a second batch. Rows are `{"_{tenant}": {"userid", "propensity"}}`.
import { scoreHistogram } from '../../score-histogram.js';
import { readScoresFile, type ScoreLine } from '../../../ml-platform/scores-file.js';
import { UnsafeLandingPathError } from '../../../simulator/landing/landing-path.js';
import { externalName } from '../external-names.js';
import { resolvedText } from '../references.js';
import { done, fail, wait, type StepOutcome } from '../pipeline-model.js';
import { outcomeOfCallError, pollDelayMs } from '../pipeline-outcome.js';
import { idOf, type StepContext, type StepHandler } from '../step-context.js';
import { ensureScoresDataset } from './scores-dataset.js';

/** Rows per uploaded file (the Platform wants files well under 256 MB). */
const ROWS_PER_FILE = 50_000;
const SUCCEEDED = new Set(['success', 'active']);
const FAILED = new Set(['failed', 'failure', 'aborted', 'abandoned', 'inactive']);

async function tenantNamespace(ctx: StepContext<'ingest'>): Promise<string> {
  const saved = idOf(ctx.ids, 'registryTenant');
  if (saved !== undefined) return saved;
  const tenant = await ctx.platform.getRegistryTenantId();
  await ctx.saveIds({ registryTenant: tenant });
  return tenant;
}

async function findOrCreateBatch(ctx: StepContext<'ingest'>, datasetId: string): Promise<string> {
  const externalId = externalName('scores-batch', ctx.identity);
  const existing = (await ctx.platform.listDatasetBatches(datasetId, { limit: 100 })).find((b) => b.externalId === externalId);
  if (existing) {
    ctx.log.info({ batchId: existing.id }, 'scores batch found by its external id');
    return existing.id;
  }
  ctx.crash('ingest', 'before');
  const created = await ctx.platform.createBatch({ datasetId, externalId });
  ctx.crash('ingest', 'after');
  return created.id;
}

async function uploadScores(ctx: StepContext<'ingest'>, tenant: string, datasetId: string, batchId: string): Promise<StepOutcome | null> {
  let scores: ScoreLine[];
  try {
    scores = await readScoresFile(ctx.settings.pipelines.landingZoneDir, resolvedText(ctx.definition.scoresFile));
  } catch (error) {
    if (error instanceof UnsafeLandingPathError) return fail('scores_file_invalid', error.message);
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist in the landing zone' : error instanceof Error ? error.message : String(error);
    return fail('scores_file_unreadable', `The scores file ${resolvedText(ctx.definition.scoresFile)} ${reason}.`);
  }
  if (scores.length === 0) return fail('no_scores', `The scores file ${resolvedText(ctx.definition.scoresFile)} holds no scores.`);
  const rows = scores.map((s) => ({ [`_${tenant}`]: { userid: s.userId, propensity: s.propensity } }));
  for (let part = 0; part * ROWS_PER_FILE < rows.length; part++) {
    const name = `scores-${String(part + 1).padStart(4, '0')}.json`;
    await ctx.platform.uploadBatchFile(batchId, datasetId, name, rows.slice(part * ROWS_PER_FILE, (part + 1) * ROWS_PER_FILE));
  }
  await ctx.platform.completeBatch(batchId);
  await ctx.saveIds({ batchCompleted: true, uploadedRows: rows.length, scoreHistogram: scoreHistogram(scores.map((s) => s.propensity)) });
  ctx.log.info({ batchId, rows: rows.length }, 'scores uploaded');
  return null;
}

export const ingestStep: StepHandler<'ingest'> = async (ctx) => {
  try {
    const tenant = await tenantNamespace(ctx);
    let datasetId = idOf(ctx.ids, 'datasetId');
    if (datasetId === undefined) {
      const dataset = await ensureScoresDataset(ctx, tenant);
      if (dataset === null) return wait(pollDelayMs(ctx), 'another pipeline is creating the scores dataset');
      datasetId = dataset.datasetId;
      await ctx.saveIds({ datasetId, ...(dataset.schemaId === null ? {} : { schemaId: dataset.schemaId }) });
    }
    let batchId = idOf(ctx.ids, 'batchId');
    if (batchId === undefined) {
      batchId = await findOrCreateBatch(ctx, datasetId);
      await ctx.saveIds({ batchId });
    }
    if (ctx.ids.batchCompleted !== true) {
      const stopped = await uploadScores(ctx, tenant, datasetId, batchId);
      if (stopped) return stopped;
    }
    const batch = await ctx.platform.getBatch(batchId);
    const status = batch.status.toLowerCase();
    if (SUCCEEDED.has(status)) {
      const histogram = Array.isArray(ctx.ids.scoreHistogram) ? { scoreHistogram: ctx.ids.scoreHistogram } : {};
      return done({ datasetId, schemaId: idOf(ctx.ids, 'schemaId') ?? null, batchId, records: batch.recordCount ?? null, ...histogram });
    }
    if (FAILED.has(status)) {
      const first = batch.errors?.[0];
      return fail('batch_failed', `Scores batch ${batchId} ended ${status}${first?.description ? `: ${first.description}` : '.'}`, {
        ...(first?.code === undefined ? {} : { platformCode: first.code }),
        ...(first?.description === undefined ? {} : { platformMessage: first.description }),
      });
    }
    return wait(pollDelayMs(ctx), `the scores batch is ${status}`);
  } catch (error) {
    return outcomeOfCallError(ctx, error);
  }
};
