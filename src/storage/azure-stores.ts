// The three ways the product opens an Azure Blob container: a connection string (account key or
// SAS), the Data Landing Zone's container SAS from the Platform, and ADLS Gen2 with a service
// principal through Entra ID. Loaded by the store factory only when a destination needs Azure.
import { ClientSecretCredential } from '@azure/identity';
import { BlobServiceClient, ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { openAzureBlobStore } from './azure-blob-store.js';
import { azureClientOptions } from './azure-client-options.js';
import type { ObjectStore } from './object-store.js';
import { sasExpiry } from './sas-token.js';
import type { StorageEndpoints } from './storage-endpoints.js';

export function openConnectionStringContainer(connectionString: string, containerName: string): ObjectStore {
  const service = BlobServiceClient.fromConnectionString(connectionString);
  const container = service.getContainerClient(containerName);
  if (service.credential instanceof StorageSharedKeyCredential) {
    return openAzureBlobStore({ kind: 'shared-key', container, credential: service.credential });
  }
  const sasToken = new URL(container.url).search.replace(/^\?/, '');
  const expiresAt = sasExpiry(sasToken);
  return openAzureBlobStore({ kind: 'sas', container, sasToken, ...(expiresAt ? { expiresAt } : {}) });
}

export function openSasContainer(sasUri: string, sasToken: string, expiresAt: Date): ObjectStore {
  return openAzureBlobStore({ kind: 'sas', container: new ContainerClient(sasUri), sasToken, expiresAt });
}

export interface ServicePrincipal {
  tenant: string;
  clientId: string;
  clientSecret: string;
}

/** Entra ID client credentials, then the account's Blob endpoint with the bearer token. */
export async function openAdlsContainer(blobEndpoint: string, fileSystem: string, principal: ServicePrincipal, endpoints: StorageEndpoints): Promise<ObjectStore> {
  const options = await azureClientOptions(endpoints);
  const credential = new ClientSecretCredential(principal.tenant, principal.clientId, principal.clientSecret, options.credential);
  const service = new BlobServiceClient(blobEndpoint, credential, options.storage);
  return openAzureBlobStore({ kind: 'token', container: service.getContainerClient(fileSystem), service });
}
