// The Data Landing Zone as the simulator provisions it: per org and sandbox two Azurite
// containers, `dlz-destination` (exports land here) and `dlz-user-container` (files to ingest),
// and the credentials endpoint's answer: a container SAS that expires
// (GET /data/foundation/connectors/landingzone/credentials, reference cmle-pipeline-api §3;
// Adobe's DLZ docs: one container per sandbox, read through a SAS).
import { createHash } from 'node:crypto';
import { ContainerClient, ContainerSASPermissions, generateBlobSASQueryParameters, SASProtocol, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { Tenancy } from '../context.js';
import type { SimulatorStorage } from './simulator-storage.js';

export const DLZ_CONTAINER_TYPES = ['dlz_destination', 'user_drop_zone'] as const;
export type DlzContainerType = (typeof DLZ_CONTAINER_TYPES)[number];

const BASE_NAMES: Record<DlzContainerType, string> = { dlz_destination: 'dlz-destination', user_drop_zone: 'dlz-user-container' };

/**
 * Adobe gives every sandbox its own storage account with fixed container names; the emulator has
 * one account, so the org and sandbox go into the container name instead (docs/simulator.md).
 */
export function dlzContainerName(t: Tenancy, type: DlzContainerType): string {
  const tenancyHash = createHash('sha256').update(`${t.orgId}\n${t.sandbox}`).digest('hex').slice(0, 16);
  return `${BASE_NAMES[type]}-${tenancyHash}`;
}

/** What each SAS may do: exports are read (and cleaned up) by the customer; the drop zone is written too. */
const SAS_PERMISSIONS: Record<DlzContainerType, string> = { dlz_destination: 'rdl', user_drop_zone: 'racwdl' };

const created = new Set<string>();

/** The container, created on first use, reached with the emulator's account key. */
export async function dlzContainer(storage: SimulatorStorage, t: Tenancy, type: DlzContainerType): Promise<ContainerClient> {
  const azure = storage.endpoints.azure;
  const credential = new StorageSharedKeyCredential(azure.accountName, azure.accountKey);
  const name = dlzContainerName(t, type);
  const container = new ContainerClient(`${azure.blobEndpoint}/${name}`, credential);
  const key = `${azure.blobEndpoint}/${name}`;
  if (!created.has(key)) {
    await container.createIfNotExists();
    created.add(key);
  }
  return container;
}

export interface DlzCredentialsBody {
  containerName: string;
  SASToken: string;
  storageAccountName: string;
  SASUri: string;
  expiryDate: string;
}

export async function dlzCredentials(storage: SimulatorStorage, t: Tenancy, type: DlzContainerType, nowMs: number): Promise<DlzCredentialsBody> {
  const container = await dlzContainer(storage, t, type);
  const azure = storage.endpoints.azure;
  const expiresOn = new Date(nowMs + storage.config.dlzSasTtlSeconds * 1000);
  const sas = generateBlobSASQueryParameters(
    {
      containerName: container.containerName,
      permissions: ContainerSASPermissions.parse(SAS_PERMISSIONS[type]),
      startsOn: new Date(nowMs - 5 * 60_000),
      expiresOn,
      protocol: SASProtocol.HttpsAndHttp,
    },
    new StorageSharedKeyCredential(azure.accountName, azure.accountKey),
  ).toString();
  return {
    containerName: container.containerName,
    SASToken: sas,
    storageAccountName: azure.accountName,
    SASUri: `${container.url}?${sas}`,
    // Adobe answers with a date; the exact instant is the SAS's `se`.
    expiryDate: expiresOn.toISOString().slice(0, 10),
  };
}
