// Destination bodies that point at the simulator's storage emulators (the "customer's" S3 bucket,
// GCS bucket, Azure container and SFTP account), and the customer-side setup they need: buckets
// and containers exist before anything is exported to them, as in a real account.
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import type { SimulatorStorageConfig } from '../../src/simulator/config.js';
import type { StorageEmulators } from '../../src/simulator/storage/storage-emulators.js';

/** What the bodies need of a simulator: its emulators' endpoints and keys (in-process or a child process). */
export interface EmulatorAccess {
  readonly storage: Omit<StorageEmulators, 'close'>;
  readonly config: { storage: Pick<SimulatorStorageConfig, 's3Keys' | 'gcsKeys' | 'sftpUsers'> };
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

/** Bodies for POST /destinations, one per type the emulators serve (ADLS Gen2 has none). */
export function emulatorDestinationBodies(sim: EmulatorAccess) {
  const s3 = emulatorS3Key(sim);
  const gcs = emulatorGcsKey(sim);
  const sftp = emulatorSftpUser(sim);
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
}
