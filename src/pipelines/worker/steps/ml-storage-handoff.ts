// What the ml step hands the ML job about storage (docs/ml-platform.md): the training folder's URI
// and the scores file's URI, plus signed URLs scoped to exactly those objects — a GET URL per
// training Parquet file and one PUT URL for the scores file — that expire after
// ML_STORAGE_URL_TTL_SECONDS.
//
// Why per-object signed URLs rather than credentials for a prefix: they are the narrowest grant
// every protocol can express with the keys a destination holds (S3 and GCS presigned URLs, Azure
// blob-level SAS; Azure flat-namespace SAS cannot be limited to a folder, and prefix-scoped STS
// credentials need an IAM role of ours the customer trusts). The job can read those files and
// write that one object, nothing else, and any HTTP client can use them (Databricks, SageMaker, a
// laptop). For the Data Landing Zone the Platform's own SAS is reused: it covers the org's
// container and expires on the Platform's schedule, which is the scope Adobe hands out.
// SFTP has no signed URLs, so an SFTP location cannot be handed to an ML job.
import { INLINE_PARAMETERS_LIMIT_BYTES, storageJobParameters, type TrainingFile } from '../../../ml-contract/job-parameters.js';
import { SCORES_FILE_NAME } from '../../../ml-contract/scores-file.js';
import { joinStoragePath, type ObjectStore } from '../../../storage/object-store.js';
import { stepHash } from '../external-names.js';
import type { StepContext } from '../step-context.js';
import { childLocation, resolvedLocation, withLocation, type StepLocation } from '../storage-locations.js';

/** A location the ML job cannot be given signed URLs for (SFTP), or a training folder with nothing to train on. */
export class MlHandoffError extends Error {
  override name = 'MlHandoffError';
  constructor(
    readonly code: 'ml_storage_unsupported' | 'training_set_empty',
    message: string,
  ) {
    super(message);
  }
}

export interface MlHandoff {
  parameters: Record<string, string>;
  /** Where the job must write the scores file. */
  scores: StepLocation & { uri: string };
}

const TRAINING_FILES_DOCUMENT = 'training-files.json';

function unsupported(uri: string): MlHandoffError {
  return new MlHandoffError(
    'ml_storage_unsupported',
    `${uri} is on a storage without signed URLs (SFTP), so an ML job cannot be given access to it; use a Data Landing Zone, S3, GCS, Azure Blob or ADLS Gen2 destination for ML steps.`,
  );
}

/** The scores folder: the step's own, or aepjobs/scores/<pipeline>/<step>-<hash of step and generation>/ next to the training set. */
export function scoresFolderOf(ctx: StepContext<'ml'>, training: StepLocation): StepLocation {
  if (ctx.definition.scores !== undefined) return { ...ctx.definition.scores };
  const run = `${ctx.step.name}-${stepHash(ctx.identity, 12)}`;
  return { destinationId: training.destinationId, path: joinStoragePath('aepjobs/scores', ctx.pipeline.id, run) };
}

async function signedTrainingFiles(store: ObjectStore, folderPath: string, ttlSeconds: number): Promise<{ files: TrainingFile[]; expiresAt: Date }> {
  // The trailing slash keeps folder "a/b" from matching "a/bc/…".
  const parts = (await store.list(`${folderPath.replace(/\/+$/, '')}/`)).filter((file) => /\.parquet$/i.test(file.path));
  const files: TrainingFile[] = [];
  let expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  for (const part of parts) {
    const signed = await store.signedReadUrl(part.path, ttlSeconds);
    if (signed === null) throw unsupported(part.uri);
    files.push({ uri: part.uri, url: signed.url, size: part.size });
    if (signed.expiresAt < expiresAt) expiresAt = signed.expiresAt;
  }
  return { files, expiresAt };
}

/** Lists and signs the training files, signs the scores upload, and builds the job's storage parameters. */
export async function prepareMlHandoff(ctx: StepContext<'ml'>): Promise<MlHandoff> {
  const ttl = ctx.settings.pipelines.mlStorageUrlTtlSeconds;
  const trainingInput = resolvedLocation(ctx.definition.training);
  const training = await withLocation(ctx, trainingInput, 'exported', async ({ store, location }) => {
    const signed = await signedTrainingFiles(store, location.path, ttl);
    if (signed.files.length === 0) throw new MlHandoffError('training_set_empty', `There are no Parquet files under ${location.uri}.`);
    return { ...signed, uri: store.uriOf(`${location.path.replace(/\/+$/, '')}/`) };
  });

  return withLocation(ctx, scoresFolderOf(ctx, trainingInput), 'ingestible', async ({ store, location }) => {
    const scores = childLocation(location, SCORES_FILE_NAME, store);
    const upload = await store.signedWriteUrl(scores.path, ttl);
    if (upload === null) throw unsupported(scores.uri);
    const expiresAt = upload.expiresAt < training.expiresAt ? upload.expiresAt : training.expiresAt;
    const common = { trainingUri: training.uri, scoresUri: scores.uri, scoresUploadUrl: upload.url, scoresUploadHeaders: upload.headers, expiresAt };
    let parameters = storageJobParameters({ ...common, training: { files: training.files } });
    if (Buffer.byteLength(JSON.stringify(parameters)) > INLINE_PARAMETERS_LIMIT_BYTES / 2) {
      // Too many files for Databricks' parameter limit (with room for the job's own parameters):
      // the list goes into a document next to the scores, itself read through a signed URL.
      const documentPath = childLocation(location, TRAINING_FILES_DOCUMENT, store).path;
      await store.write(documentPath, Buffer.from(JSON.stringify({ files: training.files })), { contentType: 'application/json' });
      const document = await store.signedReadUrl(documentPath, ttl);
      if (document === null) throw unsupported(scores.uri);
      parameters = storageJobParameters({ ...common, training: { filesUrl: document.url } });
    }
    return { parameters, scores };
  });
}
