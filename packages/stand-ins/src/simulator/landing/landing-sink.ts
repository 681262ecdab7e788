// Where the simulator, acting as the Platform, writes an export's files: through the destination's
// own protocol, with the credentials the customer gave in the base connection, the way Adobe
// writes to S3, Azure Blob, ADLS Gen2, GCS or SFTP. The Data Landing Zone is the org's own Azurite
// container. Stand-in for Adobe's side, so it uses the SDKs directly and never the product's adapters.
import { rootCertificates } from 'node:tls';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ClientSecretCredential } from '@azure/identity';
import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import SftpClient from 'ssh2-sftp-client';
import type { SimulatorContext, Tenancy } from '../context.js';
import type { LandingDestination } from '../runs/flow-links.js';
import { dlzContainer } from '../storage/dlz-containers.js';
import type { AdlsEmulator } from '../storage/storage-emulators.js';

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

/** One TLS setting per certificate: the Azure SDK keeps one connection pool per settings object. */
const trustByCert = new Map<string, { ca: string[] }>();
function trusting(cert: string): { ca: string[] } {
  let trust = trustByCert.get(cert);
  if (trust === undefined) {
    trust = { ca: [...rootCertificates, cert] };
    trustByCert.set(cert, trust);
  }
  return trust;
}

/**
 * ADLS Gen2 with the base connection's service principal, as Adobe signs in: a client-credentials
 * token from Entra ID (the emulators' stand-in), then the account's storage with that bearer token.
 * Every `<account>.dfs.core.windows.net` is the ADLS emulator (path-style `<endpoint>/<account>`);
 * an account it does not hold answers ResourceNotFound, as an unknown host would fail. Azurite has
 * no DFS endpoint, so files are written through the account's Blob API (multi-protocol access, as
 * on a hierarchical-namespace account).
 */
function adlsSink(adls: AdlsEmulator, auth: Record<string, unknown>): LandingSink {
  const url = new URL(text(auth.url));
  const account = url.hostname.split('.')[0] ?? '';
  const fileSystem = url.pathname.split('/').find((segment) => segment !== '') ?? '';
  if (fileSystem === '') throw new LandingError(`the ADLS Gen2 url ${url.origin} names no file system`);
  const tlsOptions = trusting(adls.caCert);
  const credential = new ClientSecretCredential(text(auth.tenant), text(auth.servicePrincipalId), text(auth.servicePrincipalKey), {
    authorityHost: adls.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions,
  });
  // The pipeline options are handed to @azure/core-rest-pipeline, which applies `tlsOptions`.
  const pipelineOptions: StoragePipelineOptions & { tlsOptions: { ca: string[] } } = { tlsOptions };
  return blobSink(new BlobServiceClient(`${adls.endpoint}/${account}`, credential, pipelineOptions).getContainerClient(fileSystem));
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
      case 'adlsGen2': {
        const adls = storage.endpoints.adls;
        if (adls === undefined) throw new LandingError('the simulator has no ADLS Gen2 emulator running (SIMULATOR_ADLS_PORT, SIMULATOR_ENTRA_PORT)');
        return adlsSink(adls, auth);
      }
    }
  } catch (error) {
    if (error instanceof LandingError) throw error;
    throw new LandingError(`cannot open the destination: ${error instanceof Error ? error.message : String(error)}`);
  }
}
