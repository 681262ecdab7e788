// Where the simulator, acting as the Platform, writes an export's files: through the destination's
// own protocol, with the credentials the customer gave in the base connection, the way Adobe
// writes to S3, Azure Blob, GCS or SFTP. The Data Landing Zone is the org's own Azurite container.
// Stand-in for Adobe's side, so it uses the SDKs directly and never the product's adapters.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import SftpClient from 'ssh2-sftp-client';
import type { SimulatorContext, Tenancy } from '../context.js';
import type { LandingDestination } from '../runs/flow-links.js';
import { dlzContainer } from '../storage/dlz-containers.js';

export interface LandingSink {
  /** Writes one file at a `/`-separated path relative to the destination's root (atomically for readers). */
  put(path: string, bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** The export cannot be written: unreachable store, refused credentials, missing bucket. */
export class LandingError extends Error {}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function blobSink(container: ContainerClient): LandingSink {
  return {
    async put(path, bytes) {
      // A block blob appears only when its upload commits: readers never see half a file.
      await container.getBlockBlobClient(path).uploadData(bytes);
    },
    close: () => Promise.resolve(),
  };
}

function s3Sink(endpoint: string, region: string, bucket: string, credentials: { accessKeyId: string; secretAccessKey: string }, gcs: boolean): LandingSink {
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials,
    ...(gcs ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const } : {}),
  });
  return {
    async put(path, bytes) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: path, Body: bytes }));
    },
    close() {
      client.destroy();
      return Promise.resolve();
    },
  };
}

async function sftpSink(auth: Record<string, unknown>): Promise<LandingSink> {
  const client = new SftpClient('aep-simulator-landing');
  const port = typeof auth.port === 'number' ? auth.port : Number(auth.port ?? 22);
  const sshKey = text(auth.sshKey);
  await client.connect({
    host: text(auth.domain),
    port,
    username: text(auth.username),
    readyTimeout: 10_000,
    ...(sshKey === '' ? { password: text(auth.password) } : { privateKey: Buffer.from(sshKey, 'base64').toString('utf8') }),
  });
  return {
    async put(path, bytes) {
      const remote = `/${path}`;
      await client.mkdir(remote.slice(0, remote.lastIndexOf('/')) || '/', true);
      const partial = `${remote}.inprogress`;
      await client.put(Buffer.from(bytes), partial);
      await client.rename(partial, remote);
    },
    async close() {
      await client.end().catch(() => undefined);
    },
  };
}

export async function openLandingSink(ctx: SimulatorContext, t: Tenancy, destination: LandingDestination): Promise<LandingSink> {
  const storage = ctx.storage;
  const auth = destination.auth?.params ?? {};
  const params = destination.params;
  try {
    switch (destination.kind) {
      case 'dataLandingZone':
        return blobSink(await dlzContainer(storage, t, 'dlz_destination'));
      case 'azureBlob':
        return blobSink(BlobServiceClient.fromConnectionString(text(auth.connectionString)).getContainerClient(text(params.container)));
      case 's3': {
        // An assumed role is trusted by the emulator's account, as the customer's role trusts Adobe's.
        const fallback = storage.config.s3Keys[0];
        const keys =
          text(auth.s3AccessKey) !== ''
            ? { accessKeyId: text(auth.s3AccessKey), secretAccessKey: text(auth.s3SecretKey) }
            : { accessKeyId: fallback?.accessKeyId ?? '', secretAccessKey: fallback?.secretAccessKey ?? '' };
        return s3Sink(storage.endpoints.s3.endpoint, 'us-east-1', text(params.bucketName), keys, false);
      }
      case 'gcs':
        return s3Sink(storage.endpoints.gcs.endpoint, 'auto', text(params.bucketName), { accessKeyId: text(auth.accessKeyId), secretAccessKey: text(auth.secretAccessKey) }, true);
      case 'sftp':
        return await sftpSink(auth);
      case 'adlsGen2':
        throw new LandingError('the simulator has no ADLS Gen2 endpoint (Azurite has no DFS endpoint or Entra ID sign-in)');
    }
  } catch (error) {
    if (error instanceof LandingError) throw error;
    throw new LandingError(`cannot open the destination: ${error instanceof Error ? error.message : String(error)}`);
  }
}
