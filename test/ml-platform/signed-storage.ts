// The storage side of the ML job contract for the ML platform's tests: a training set landed as
// gzip Parquet parts in an emulated object store (Azurite, or the S3-compatible server), and the
// contract's storage job parameters — signed GET URLs for the parts, a signed PUT URL for the
// scores file — minted by the product's own storage adapters, as the ml step mints them. The
// scores are read back with the store's official SDK, never from a file system.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { storageJobParameters, type TrainingFile } from '../../src/ml-contract/job-parameters.js';
import { parseScoreLine, SCORES_FILE_NAME, type ScoreLine } from '../../src/ml-contract/scores-file.js';
import { encodeParquet } from '../../packages/stand-ins/src/simulator/landing/parquet-part.js';
import { startStorageEmulators, type StorageEmulators } from '../../packages/stand-ins/src/simulator/storage/storage-emulators.js';
import { openAzureBlobStore } from '../../src/storage/azure-blob-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { openS3Store } from '../../src/storage/s3-store.js';
import { TRAINING_SET_FIELDS, type TrainingExample } from './featurize.js';

const s3Key = { accessKeyId: 'AKIATESTMLPLATFORM23', secretAccessKey: 'mlPlatformTestSecretKey00000000000000000' };

export interface SignedStorage {
  emulators: StorageEmulators;
  azure: ObjectStore;
  s3: ObjectStore;
  /** Lands the examples under `folder` (parts of `rowsPerPart` rows). */
  land(store: ObjectStore, examples: readonly TrainingExample[], folder: string, rowsPerPart?: number): Promise<void>;
  /** The contract's storage parameters for a training folder and a scores folder, signed for `ttlSeconds`. */
  parameters(store: ObjectStore, trainingFolder: string, scoresFolder: string, ttlSeconds?: number): Promise<Record<string, string>>;
  /** The scores file under `scoresFolder`, read with the store's SDK. */
  readScores(store: ObjectStore, scoresFolder: string): Promise<ScoreLine[]>;
  close(): Promise<void>;
}

async function bodyText(stream: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSignedStorage(): Promise<SignedStorage> {
  const directory = await mkdtemp(join(tmpdir(), 'ml-storage-'));
  const emulators = await startStorageEmulators({ host: '127.0.0.1', directory, azuritePort: 0, s3Port: 0, gcsPort: 0, sftpPort: 0, s3Keys: [s3Key], gcsKeys: [], sftpUsers: [] });
  const credential = new StorageSharedKeyCredential(emulators.azure.accountName, emulators.azure.accountKey);
  const blobService = new BlobServiceClient(emulators.azure.blobEndpoint, credential);
  const containerName = `ml-${randomBytes(4).toString('hex')}`;
  const container = blobService.getContainerClient(containerName);
  await container.create();
  const azure = openAzureBlobStore({ kind: 'shared-key', container, credential });
  const s3Client = new S3Client({ region: 'us-east-1', endpoint: emulators.s3.endpoint, forcePathStyle: true, credentials: s3Key });
  const bucket = `ml-${randomBytes(4).toString('hex')}`;
  await s3Client.send(new CreateBucketCommand({ Bucket: bucket }));
  const s3 = openS3Store({ flavour: 's3', bucket, region: 'us-east-1', endpoint: emulators.s3.endpoint, credentials: { kind: 'keys', ...s3Key } });

  return {
    emulators,
    azure,
    s3,
    async land(store, examples, folder, rowsPerPart = 400) {
      for (let part = 0; part * rowsPerPart < examples.length; part++) {
        const rows = examples.slice(part * rowsPerPart, (part + 1) * rowsPerPart).map((e) => e.row);
        await store.write(`${folder}/part-${String(part).padStart(5, '0')}.gz.parquet`, encodeParquet(rows, TRAINING_SET_FIELDS, 'GZIP'));
      }
    },
    async parameters(store, trainingFolder, scoresFolder, ttlSeconds = 600) {
      const files: TrainingFile[] = [];
      for (const file of await store.list(`${trainingFolder}/`)) {
        const signed = await store.signedReadUrl(file.path, ttlSeconds);
        if (signed === null) throw new Error('no signed URL');
        files.push({ uri: file.uri, url: signed.url, size: file.size });
      }
      const scoresPath = `${scoresFolder}/${SCORES_FILE_NAME}`;
      const upload = await store.signedWriteUrl(scoresPath, ttlSeconds);
      if (upload === null) throw new Error('no signed upload URL');
      return storageJobParameters({
        trainingUri: store.uriOf(`${trainingFolder}/`),
        training: { files },
        scoresUri: store.uriOf(scoresPath),
        scoresUploadUrl: upload.url,
        scoresUploadHeaders: upload.headers,
        expiresAt: upload.expiresAt,
      });
    },
    async readScores(store, scoresFolder) {
      const key = `${scoresFolder}/${SCORES_FILE_NAME}`;
      const text =
        store === azure
          ? (await container.getBlobClient(key).downloadToBuffer()).toString('utf8')
          : await bodyText((await s3Client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as AsyncIterable<unknown>);
      return text
        .split('\n')
        .map((line, index) => parseScoreLine(line, index + 1))
        .filter((line): line is ScoreLine => line !== null);
    },
    async close() {
      s3Client.destroy();
      await azure.close();
      await s3.close();
      await emulators.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
