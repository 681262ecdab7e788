// Azure Blob Storage on @azure/storage-blob, for Azure Blob destinations (connection string),
// ADLS Gen2 (its blob endpoint, with a service principal) and the Azure-hosted Data Landing Zone
// (a container SAS from the Platform). Signed URLs are SAS: a service SAS when we hold the account
// key, a user delegation SAS with a service principal, the Platform's own SAS for the DLZ.
import type { Readable } from 'node:stream';
import { AuthenticationError, AuthenticationRequiredError } from '@azure/identity';
import type {
  ContainerClient,
  StorageSharedKeyCredential} from '@azure/storage-blob';
import {
  BlobSASPermissions,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  RestError,
  SASProtocol,
  type BlobServiceClient,
  type UserDelegationKey,
} from '@azure/storage-blob';
import {
  normaliseStoragePath,
  StorageAccessDeniedError,
  StorageNotFoundError,
  type ObjectStore,
  type SignedReadUrl,
  type StorageAccess,
  type StoredFile,
} from './object-store.js';

export type AzureContainerAccess =
  /** Account key (connection string): we can mint service SAS ourselves. */
  | { kind: 'shared-key'; container: ContainerClient; credential: StorageSharedKeyCredential }
  /** A SAS someone gave us (DLZ, or a connection string with a SAS): reused as is until it expires. */
  | { kind: 'sas'; container: ContainerClient; sasToken: string; expiresAt?: Date }
  /** Entra ID (service principal): user delegation SAS. */
  | { kind: 'token'; container: ContainerClient; service: BlobServiceClient };

/**
 * Service version of user delegation SAS. The SDK signs with its newest (2026-04-06, whose
 * string-to-sign adds request header and query lines) unless told; Azure accepts every GA version,
 * and Azurite, the Azure Storage emulator, verifies the 2025-07-05 layout up to 2025-11-05. Pinned
 * to the newest version both accept.
 */
const USER_DELEGATION_SAS_VERSION = '2025-11-05';

function withoutQuery(url: string): string {
  const cut = url.indexOf('?');
  return cut === -1 ? url : url.slice(0, cut);
}

function translate(error: unknown, uri: string): never {
  // Entra ID refused the service principal (wrong secret, unknown app or tenant): no token, no access.
  // (@azure/identity reports the token endpoint's refusal as either error, depending on the flow.)
  if (error instanceof AuthenticationError || error instanceof AuthenticationRequiredError) {
    throw new StorageAccessDeniedError(`${uri}: Entra ID sign-in failed: ${error.message.split('\n')[0] ?? ''}`);
  }
  if (error instanceof RestError) {
    if (error.statusCode === 404) throw new StorageNotFoundError(uri);
    if (error.statusCode === 401 || error.statusCode === 403) throw new StorageAccessDeniedError(`${uri}: ${error.code ?? error.statusCode}: ${error.message.split('\n')[0] ?? ''}`);
  }
  throw error;
}

export function openAzureBlobStore(access: AzureContainerAccess): ObjectStore {
  const container = access.container;
  const rootUri = `${withoutQuery(container.url).replace(/\/$/, '')}/`;
  const uriOf = (path: string) => `${rootUri}${encodeURI(normaliseStoragePath(path))}`;

  async function delegationKey(startsOn: Date, expiresOn: Date): Promise<UserDelegationKey> {
    if (access.kind !== 'token') throw new Error('user delegation keys need an Entra ID credential');
    return access.service.getUserDelegationKey(startsOn, expiresOn);
  }

  async function sasFor(blobName: string | undefined, permissions: string, ttlSeconds: number): Promise<{ token: string; expiresAt: Date } | null> {
    // Start a little in the past: clocks of clients and the service differ.
    const startsOn = new Date(Date.now() - 5 * 60_000);
    const expiresOn = new Date(Date.now() + ttlSeconds * 1000);
    const values = {
      containerName: container.containerName,
      ...(blobName === undefined ? {} : { blobName }),
      permissions: blobName === undefined ? ContainerSASPermissions.parse(permissions) : BlobSASPermissions.parse(permissions),
      startsOn,
      expiresOn,
      protocol: container.url.startsWith('https:') ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
    };
    switch (access.kind) {
      case 'shared-key':
        return { token: generateBlobSASQueryParameters(values, access.credential).toString(), expiresAt: expiresOn };
      case 'token': {
        const key = await delegationKey(startsOn, expiresOn);
        return { token: generateBlobSASQueryParameters({ ...values, version: USER_DELEGATION_SAS_VERSION }, key, container.accountName).toString(), expiresAt: expiresOn };
      }
      case 'sas':
        // The Platform's SAS covers the whole container; it is already short-lived.
        return { token: access.sasToken.replace(/^\?/, ''), expiresAt: access.expiresAt ?? expiresOn };
    }
  }

  const store: ObjectStore = {
    protocol: 'azure-blob',
    rootUri,
    uriOf,
    pathOf(uri) {
      const bare = withoutQuery(uri);
      if (!bare.startsWith(rootUri)) return null;
      return normaliseStoragePath(decodeURIComponent(bare.slice(rootUri.length)));
    },

    async list(prefix) {
      const files: StoredFile[] = [];
      try {
        for await (const blob of container.listBlobsFlat({ prefix: normaliseStoragePath(prefix) })) {
          files.push({ path: blob.name, uri: uriOf(blob.name), size: blob.properties.contentLength ?? 0, lastModified: blob.properties.lastModified });
        }
      } catch (error) {
        translate(error, uriOf(prefix));
      }
      return files.sort((a, b) => a.path.localeCompare(b.path));
    },

    async stat(path) {
      const name = normaliseStoragePath(path);
      try {
        const properties = await container.getBlobClient(name).getProperties();
        return { path: name, uri: uriOf(name), size: properties.contentLength ?? 0, ...(properties.lastModified ? { lastModified: properties.lastModified } : {}) };
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 404) return null;
        return translate(error, uriOf(name));
      }
    },

    async read(path) {
      const name = normaliseStoragePath(path);
      const response = await container.getBlobClient(name).download().catch((error: unknown) => translate(error, uriOf(name)));
      if (response.readableStreamBody === undefined) throw new Error(`${uriOf(name)}: no body`);
      return response.readableStreamBody as Readable;
    },

    async write(path, body, options = {}) {
      const name = normaliseStoragePath(path);
      const blob = container.getBlockBlobClient(name);
      const headers = options.contentType ? { blobHTTPHeaders: { blobContentType: options.contentType } } : {};
      try {
        if (body instanceof Uint8Array) await blob.uploadData(body, headers);
        else await blob.uploadStream(body, 4 * 1024 * 1024, 4, headers);
      } catch (error) {
        translate(error, uriOf(name));
      }
      const stored = await store.stat(name);
      if (stored === null) throw new StorageNotFoundError(uriOf(name));
      return stored;
    },

    async signedReadUrl(path, ttlSeconds): Promise<SignedReadUrl | null> {
      const name = normaliseStoragePath(path);
      const sas = await sasFor(name, 'r', ttlSeconds);
      if (sas === null) return null;
      return { url: `${uriOf(name)}?${sas.token}`, expiresAt: sas.expiresAt };
    },

    async signedWriteUrl(path, ttlSeconds) {
      const name = normaliseStoragePath(path);
      // create + write on this one blob; Put Blob needs its blob type named.
      const sas = await sasFor(name, 'cw', ttlSeconds);
      if (sas === null) return null;
      return { url: `${uriOf(name)}?${sas.token}`, expiresAt: sas.expiresAt, headers: { 'x-ms-blob-type': 'BlockBlob' } };
    },

    async temporaryAccess(_prefix, options): Promise<StorageAccess | null> {
      // Flat-namespace Blob SAS can be scoped to a blob or the container, not to a prefix; the
      // container SAS is the narrowest that covers a folder of files.
      const permissions = options.write ? 'racwl' : 'rl';
      const sas = await sasFor(undefined, permissions, options.ttlSeconds);
      if (sas === null) return null;
      const containerUrl = rootUri.replace(/\/$/, '');
      return { kind: 'azure-sas', containerUrl, sasToken: sas.token, sasUri: `${containerUrl}?${sas.token}`, expiresAt: sas.expiresAt, permissions: access.kind === 'sas' ? (new URLSearchParams(sas.token).get('sp') ?? 'as granted') : permissions };
    },

    close() {
      return Promise.resolve();
    },
  };
  return store;
}
