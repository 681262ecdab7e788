// The simulator's stand-ins for the cloud stores: Azurite (Data Landing Zone, Azure Blob),
// an S3-compatible server for S3 and one for GCS, and an SFTP server. All embedded (no Docker),
// started with the simulator, reached only over their protocols.
import { join } from 'node:path';
import { startAzurite, AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from './azurite-server.js';
import { startS3Emulator, type S3AccessKey } from './s3-server.js';
import { startSftpEmulator, type SftpUser } from './sftp-server.js';

export interface StorageEmulatorConfig {
  host: string;
  /** Where the emulators keep their data (each its own sub-folder); only they read it. */
  directory: string;
  azuritePort: number;
  s3Port: number;
  gcsPort: number;
  sftpPort: number;
  s3Keys: S3AccessKey[];
  gcsKeys: S3AccessKey[];
  sftpUsers: SftpUser[];
}

export interface StorageEmulators {
  azure: { blobEndpoint: string; accountName: string; accountKey: string; connectionString: string };
  s3: { endpoint: string };
  gcs: { endpoint: string };
  sftp: { host: string; port: number };
  close(): Promise<void>;
}

function azureOf(blobEndpoint: string): StorageEmulators['azure'] {
  return {
    blobEndpoint,
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};`,
  };
}

/** Emulators another process runs (compose services, a second simulator): only their endpoints. */
export function externalStorageEmulators(external: { azureBlobEndpoint: string; s3Endpoint: string; gcsEndpoint: string; sftpHost: string; sftpPort: number }): StorageEmulators {
  return {
    azure: azureOf(external.azureBlobEndpoint),
    s3: { endpoint: external.s3Endpoint },
    gcs: { endpoint: external.gcsEndpoint },
    sftp: { host: external.sftpHost, port: external.sftpPort },
    close: () => Promise.resolve(),
  };
}

export async function startStorageEmulators(config: StorageEmulatorConfig): Promise<StorageEmulators> {
  const started: { close(): Promise<void> }[] = [];
  try {
    const azurite = await startAzurite({ host: config.host, port: config.azuritePort, directory: join(config.directory, 'azurite') });
    started.push(azurite);
    const s3 = await startS3Emulator({ host: config.host, port: config.s3Port, directory: join(config.directory, 's3'), keys: config.s3Keys });
    started.push(s3);
    const gcs = await startS3Emulator({ host: config.host, port: config.gcsPort, directory: join(config.directory, 'gcs'), keys: config.gcsKeys });
    started.push(gcs);
    const sftp = await startSftpEmulator({ host: config.host, port: config.sftpPort, directory: join(config.directory, 'sftp'), users: config.sftpUsers });
    started.push(sftp);
    return {
      azure: azureOf(azurite.blobEndpoint),
      s3: { endpoint: s3.endpoint },
      gcs: { endpoint: gcs.endpoint },
      sftp: { host: sftp.host, port: sftp.port },
      close: async () => {
        for (const emulator of started.reverse()) await emulator.close().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const emulator of started.reverse()) await emulator.close().catch(() => undefined);
    throw error;
  }
}
