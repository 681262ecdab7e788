// S3 and GCS (through its S3-compatible XML API with HMAC keys) on @aws-sdk/client-s3: list,
// stat, stream reads, multipart stream writes (@aws-sdk/lib-storage) and presigned GET URLs
// (@aws-sdk/s3-request-presigner). Assumed roles go through STS (credential-providers).
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, NotFound, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException, type S3ClientConfig } from '@aws-sdk/client-s3';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  normaliseStoragePath,
  nullIfNotFound,
  StorageAccessDeniedError,
  StorageNotFoundError,
  type ObjectStore,
  type StorageAccess,
  type StoredFile,
  type WriteOptions,
  storagePathUnder,
} from './object-store.js';

export type S3StoreCredentials =
  | { kind: 'keys'; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { kind: 'assumed-role'; roleArn: string };

export interface S3StoreOptions {
  /** `s3` for Amazon S3 (URIs s3://…), `gcs` for Google Cloud Storage's XML API (URIs gs://…). */
  flavour: 's3' | 'gcs';
  bucket: string;
  /** Everything this store sees lives under this prefix of the bucket (the DLZ folder on AWS). */
  basePrefix?: string;
  region: string;
  /** Override of the service endpoint (GCS's, or a local S3-compatible server); path-style. */
  endpoint?: string;
  credentials: S3StoreCredentials;
}

const STORAGE_CONNECT_TIMEOUT_MS = 10_000;
/** Socket inactivity, not whole-transfer time: long streams of large files are fine. */
const STORAGE_IDLE_TIMEOUT_MS = 60_000;

function clientConfig(options: S3StoreOptions): S3ClientConfig {
  const credentials =
    options.credentials.kind === 'keys'
      ? {
          accessKeyId: options.credentials.accessKeyId,
          secretAccessKey: options.credentials.secretAccessKey,
          ...(options.credentials.sessionToken === undefined ? {} : { sessionToken: options.credentials.sessionToken }),
        }
      : fromTemporaryCredentials({ params: { RoleArn: options.credentials.roleArn, RoleSessionName: 'aep-distiller-jobs', DurationSeconds: 900 } });
  return {
    region: options.region,
    credentials,
    followRegionRedirects: true,
    // The SDK sets no connect or idle timeout by default, so an unreachable endpoint would hold a
    // worker slot for minutes; bounded here, the step's own retries take over.
    requestHandler: { connectionTimeout: STORAGE_CONNECT_TIMEOUT_MS, requestTimeout: STORAGE_IDLE_TIMEOUT_MS },
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
    // GCS's XML API rejects the flexible-checksum headers newer SDKs add by default.
    ...(options.flavour === 'gcs' ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const } : {}),
  };
}

function translate(error: unknown, uri: string): never {
  if (error instanceof NoSuchKey || error instanceof NotFound) throw new StorageNotFoundError(uri);
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode;
    if (status === 404) throw new StorageNotFoundError(uri);
    if (status === 401 || status === 403) throw new StorageAccessDeniedError(`${uri}: ${error.name}: ${error.message}`);
  }
  throw error;
}

export function openS3Store(options: S3StoreOptions): ObjectStore {
  const client = new S3Client(clientConfig(options));
  const scheme = options.flavour === 'gcs' ? 'gs' : 's3';
  const base = options.basePrefix === undefined || options.basePrefix === '' ? '' : `${normaliseStoragePath(options.basePrefix).replace(/\/?$/, '/')}`;
  const rootUri = `${scheme}://${options.bucket}/${base}`;
  const keyOf = (path: string) => `${base}${normaliseStoragePath(path)}`;
  const uriOf = (path: string) => `${rootUri}${normaliseStoragePath(path)}`;
  const fileOf = (key: string, size: number, lastModified?: Date): StoredFile => {
    const path = key.slice(base.length);
    return { path, uri: uriOf(path), size, ...(lastModified ? { lastModified } : {}) };
  };

  const store: ObjectStore = {
    protocol: options.flavour,
    rootUri,
    uriOf,
    pathOf(uri) {
      return storagePathUnder(rootUri, uri);
    },

    async list(prefix) {
      const files: StoredFile[] = [];
      let token: string | undefined;
      do {
        const page = await client
          .send(new ListObjectsV2Command({ Bucket: options.bucket, Prefix: keyOf(prefix), ...(token === undefined ? {} : { ContinuationToken: token }) }))
          .catch((error: unknown) => translate(error, uriOf(prefix)));
        for (const object of page.Contents ?? []) {
          if (object.Key === undefined || object.Key.endsWith('/')) continue;
          files.push(fileOf(object.Key, object.Size ?? 0, object.LastModified));
        }
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return files.sort((a, b) => a.path.localeCompare(b.path));
    },

    async stat(path) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: options.bucket, Key: keyOf(path) }));
        return fileOf(keyOf(path), head.ContentLength ?? 0, head.LastModified);
      } catch (error) {
        return nullIfNotFound(() => translate(error, uriOf(path)));
      }
    },

    async read(path) {
      const object = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: keyOf(path) })).catch((error: unknown) => translate(error, uriOf(path)));
      return object.Body as Readable;
    },

    async write(path, body, writeOptions: WriteOptions = {}) {
      const upload = new Upload({
        client,
        params: { Bucket: options.bucket, Key: keyOf(path), Body: body, ...(writeOptions.contentType ? { ContentType: writeOptions.contentType } : {}) },
      });
      await upload.done().catch((error: unknown) => translate(error, uriOf(path)));
      const stored = await store.stat(path);
      if (stored === null) throw new StorageNotFoundError(uriOf(path));
      return stored;
    },

    async signedReadUrl(path, ttlSeconds) {
      const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: options.bucket, Key: keyOf(path) }), { expiresIn: ttlSeconds });
      return { url, expiresAt: new Date(Date.now() + ttlSeconds * 1000) };
    },

    async signedWriteUrl(path, ttlSeconds) {
      // Only the host header is signed, so a plain PUT of the bytes works.
      const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: options.bucket, Key: keyOf(path) }), { expiresIn: ttlSeconds });
      return { url, expiresAt: new Date(Date.now() + ttlSeconds * 1000), headers: {} };
    },

    // Minting prefix-scoped STS credentials needs an IAM identity of ours that the customer
    // trusts; not configured yet, so callers fall back to signed URLs.
    temporaryAccess(): Promise<StorageAccess | null> {
      return Promise.resolve(null);
    },

    close() {
      client.destroy();
      return Promise.resolve();
    },
  };
  return store;
}
