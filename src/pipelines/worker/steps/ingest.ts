// Step `ingest`: the ML run's scores file into the profile-enabled scores dataset by batch
// ingestion. The scores file is read through the storage adapter of the caller's destination (the
// DLZ user drop zone for a DLZ), checked line by line before anything is created, and streamed
// into the batch (scores-upload.ts). The batch carries a deterministic externalId, looked for
// among the dataset's batches before one is created; the file upload replaces by name and
// COMPLETE is retry-safe, so a crash anywhere resumes without a second batch. Rows are `{"_{tenant}": {"userid", "propensity"}}`.
import { ScoresFormatError } from '../../../ml-contract/scores-file.js';
import { externalName } from '../external-names.js';
import { done, fail, wait, type StepOutcome } from '../pipeline-model.js';
import { outcomeOfCallError, pollDelayMs } from '../pipeline-outcome.js';
import { idOf, type StepContext, type StepHandler } from '../step-context.js';
import { resolvedLocation, withLocation } from '../storage-locations.js';
import { ensureScoresDataset } from './scores-dataset.js';
import { measureScores, uploadScores } from './scores-upload.js';
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

/** The scores file checked line by line and measured, before any batch exists; saved so a resume skips it. */
async function checkScoresFile(ctx: StepContext<'ingest'>, tenant: string): Promise<StepOutcome | null> {
  if (typeof ctx.ids.scoresBytes === 'number') return null;
  return withLocation(ctx, resolvedLocation(ctx.definition.scores), 'ingestible', async ({ store, location }) => {
    let measured: { rows: number; bytes: number; histogram: number[] };
    try {
      measured = await measureScores(store, location.path, tenant);
    } catch (error) {
      if (error instanceof ScoresFormatError) return fail('scores_file_invalid', `The scores file ${location.uri} is not in the scores format: ${error.message}.`);
      throw error;
    }
    if (measured.rows === 0) return fail('no_scores', `The scores file ${location.uri} holds no scores.`);
    await ctx.saveIds({ scoresRows: measured.rows, scoresBytes: measured.bytes, scoreHistogram: measured.histogram });
    return null;
  });
}

async function uploadScoresFile(ctx: StepContext<'ingest'>, tenant: string, datasetId: string, batchId: string): Promise<void> {
  const { largeFileBytes, partBytes } = ctx.settings.pipelines;
  const bytes = Number(ctx.ids.scoresBytes);
  await withLocation(ctx, resolvedLocation(ctx.definition.scores), 'ingestible', async ({ store, location }) => {
    const upload = await uploadScores({ platform: ctx.platform, store, path: location.path, tenant, batchId, datasetId, bytes, largeFileBytes, partBytes });
    await ctx.platform.completeBatch(batchId);
    await ctx.saveIds({ batchCompleted: true, uploadMode: upload.mode });
    ctx.log.info({ batchId, rows: ctx.ids.scoresRows, bytes, mode: upload.mode, parts: upload.parts }, 'scores uploaded');
  });
}

export const ingestStep: StepHandler<'ingest'> = async (ctx) => {
  try {
    const tenant = await tenantNamespace(ctx);
    // A file that is not scores fails here, before a dataset or batch is touched.
    const invalid = await checkScoresFile(ctx, tenant);
    if (invalid) return invalid;
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
    if (ctx.ids.batchCompleted !== true) await uploadScoresFile(ctx, tenant, datasetId, batchId);
    const batch = await ctx.platform.getBatch(batchId);
    const status = batch.status.toLowerCase();
    if (SUCCEEDED.has(status)) {
      const histogram = Array.isArray(ctx.ids.scoreHistogram) ? { scoreHistogram: ctx.ids.scoreHistogram } : {};
      return done({ datasetId, schemaId: idOf(ctx.ids, 'schemaId') ?? null, batchId, records: batch.recordCount ?? null, uploadMode: ctx.ids.uploadMode ?? null, ...histogram });
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
