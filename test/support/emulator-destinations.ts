// Destination bodies that point at the simulator's storage emulators (the "customer's" S3 bucket,
// GCS bucket, Azure container, ADLS Gen2 file system and SFTP account), and the customer-side setup
// they need: buckets, containers and file systems exist before anything is exported to them, as in
// a real account.
import { rootCertificates } from 'node:tls';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ClientSecretCredential } from '@azure/identity';
import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import type { SimulatorStorageConfig } from '../../packages/stand-ins/src/simulator/config.js';
import { AZURITE_ACCOUNT_NAME } from '../../packages/stand-ins/src/simulator/storage/azurite-server.js';
import type { AdlsEmulator, StorageEmulators } from '../../packages/stand-ins/src/simulator/storage/storage-emulators.js';

/** What the bodies need of a simulator: its emulators' endpoints and keys (in-process or a child process). */
export interface EmulatorAccess {
  readonly storage: Omit<StorageEmulators, 'close'>;
  readonly config: { storage: Pick<SimulatorStorageConfig, 's3Keys' | 'gcsKeys' | 'sftpUsers'> & Partial<Pick<SimulatorStorageConfig, 'entraPrincipals'>> };
}

export const EMULATOR_BUCKET = 'customer-exports';
export const EMULATOR_CONTAINER = 'customer-exports';

export function emulatorS3Key(sim: EmulatorAccess) {
  const key = sim.config.storage.s3Keys[0];
  if (key === undefined) throw new Error('the S3 emulator has no key');
  return key;
}

export function emulatorGcsKey(sim: EmulatorAccess) {
  const key = sim.config.storage.gcsKeys[0];
  if (key === undefined) throw new Error('the GCS emulator has no key');
  return key;
}

export function emulatorSftpUser(sim: EmulatorAccess) {
  const user = sim.config.storage.sftpUsers[0];
  if (user === undefined) throw new Error('the SFTP emulator has no user');
  return user;
}

export function emulatorEntraPrincipal(sim: EmulatorAccess) {
  const principal = sim.config.storage.entraPrincipals?.[0];
  if (principal === undefined) throw new Error('the Entra ID stand-in has no service principal');
  return principal;
}

export function emulatorAdls(sim: EmulatorAccess): AdlsEmulator {
  const adls = sim.storage.adls;
  if (adls === undefined) throw new Error('the simulator runs no ADLS Gen2 emulator');
  return adls;
}

/** The product's settings that reach the ADLS Gen2 emulator and its Entra ID stand-in (as `npm start` sets them). */
export function adlsEnvOf(storage: Pick<StorageEmulators, 'adls'>): Record<string, string> {
  const adls = storage.adls;
  if (adls === undefined) return {};
  return { ADLS_ENDPOINT_URL: adls.endpoint, AZURE_AUTHORITY_HOST: adls.authorityHost, AZURE_EXTRA_CA_CERTS: adls.caCertFile };
}

/** TLS settings trusting the emulators' self-signed certificate, for the Azure SDK's `tlsOptions`. */
export function adlsTrust(adls: AdlsEmulator): { ca: string[] } {
  return { ca: [...rootCertificates, adls.caCert] };
}

/** The customer's ADLS Gen2 file system, opened as the customer would: service principal, Entra ID sign-in. */
export function adlsFileSystem(sim: EmulatorAccess): ContainerClient {
  return adlsContainer(emulatorAdls(sim), emulatorEntraPrincipal(sim), EMULATOR_CONTAINER);
}

/** A file system of the ADLS Gen2 emulator's account, opened with a service principal. */
export function adlsContainer(adls: AdlsEmulator, principal: { tenant: string; clientId: string; clientSecret: string }, fileSystem: string): ContainerClient {
  const tlsOptions = adlsTrust(adls);
  const credential = new ClientSecretCredential(principal.tenant, principal.clientId, principal.clientSecret, {
    authorityHost: adls.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions,
  });
  const options: StoragePipelineOptions & { tlsOptions: { ca: string[] } } = { tlsOptions };
  return new BlobServiceClient(adls.blobEndpoint, credential, options).getContainerClient(fileSystem);
}

/** Bodies for POST /destinations, one per type the emulators serve. */
export function emulatorDestinationBodies(sim: EmulatorAccess) {
  const s3 = emulatorS3Key(sim);
  const gcs = emulatorGcsKey(sim);
  const sftp = emulatorSftpUser(sim);
  const principal = sim.config.storage.entraPrincipals?.[0];
  return {
    dlz: { type: 'dlz', name: 'landing zone', params: {} },
    s3: {
      type: 's3',
      name: 'customer s3',
      params: { bucketName: EMULATOR_BUCKET },
      credentials: { authType: 'access-key', s3AccessKey: s3.accessKeyId, s3SecretKey: s3.secretAccessKey },
    },
    'azure-blob': {
      type: 'azure-blob',
      name: 'customer blob',
      params: { container: EMULATOR_CONTAINER },
      credentials: { connectionString: sim.storage.azure.connectionString },
    },
    // The account's real-cloud URL: the product reaches it through ADLS_ENDPOINT_URL, the simulator
    // (as Adobe) through its emulator; both sign in with the service principal at Entra ID's stand-in.
    'adls-gen2': {
      type: 'adls-gen2',
      name: 'customer adls',
      params: { url: `https://${AZURITE_ACCOUNT_NAME}.dfs.core.windows.net/${EMULATOR_CONTAINER}` },
      credentials: { servicePrincipalId: principal?.clientId ?? '', servicePrincipalKey: principal?.clientSecret ?? '', tenant: principal?.tenant ?? '' },
    },
    gcs: {
      type: 'gcs',
      name: 'customer gcs',
      params: { bucketName: EMULATOR_BUCKET },
      credentials: { accessKeyId: gcs.accessKeyId, secretAccessKey: gcs.secretAccessKey },
    },
    sftp: {
      type: 'sftp',
      name: 'customer sftp',
      params: { domain: sim.storage.sftp.host, port: sim.storage.sftp.port },
      credentials: { authType: 'password', username: sftp.username, password: sftp.password },
    },
  } as const;
}

export type EmulatorDestinationType = keyof ReturnType<typeof emulatorDestinationBodies>;

/** Creates the customer's S3 and GCS buckets and Azure container (idempotent). */
export async function prepareCustomerStores(sim: EmulatorAccess): Promise<void> {
  for (const [endpoint, key, region] of [
    [sim.storage.s3.endpoint, emulatorS3Key(sim), 'us-east-1'],
    [sim.storage.gcs.endpoint, emulatorGcsKey(sim), 'auto'],
  ] as const) {
    const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials: key });
    try {
      await client.send(new CreateBucketCommand({ Bucket: EMULATOR_BUCKET })).catch((error: unknown) => {
        if ((error as { name?: string }).name !== 'BucketAlreadyOwnedByYou' && (error as { name?: string }).name !== 'BucketAlreadyExists') throw error;
      });
    } finally {
      client.destroy();
    }
  }
  await BlobServiceClient.fromConnectionString(sim.storage.azure.connectionString).getContainerClient(EMULATOR_CONTAINER).createIfNotExists();
  if (sim.storage.adls !== undefined && sim.config.storage.entraPrincipals?.[0] !== undefined) await adlsFileSystem(sim).createIfNotExists();
}
