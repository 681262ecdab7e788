// The simulator's stand-ins for the cloud stores: Azurite (Data Landing Zone, Azure Blob),
// an S3-compatible server for S3 and one for GCS, an SFTP server, and for ADLS Gen2 a second
// Azurite over HTTPS that takes Entra ID bearer tokens plus the Entra ID stand-in that issues them.
// All embedded (no Docker), started with the simulator, reached only over their protocols.
import { dirname, join } from 'node:path';
import { startAzurite, AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from './azurite-server.js';
import { startEntraServer, type EntraPrincipal } from './entra-server.js';
import { startS3Emulator, type S3AccessKey } from './s3-server.js';
import { loadOrCreateCertificate } from './self-signed-certificate.js';
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
  /** ADLS Gen2 (HTTPS Azurite) and Entra ID stand-in ports; without both, no ADLS Gen2 emulator. */
  adlsPort?: number;
  entraPort?: number;
  /** Service principals the Entra ID stand-in signs in. */
  entraPrincipals?: EntraPrincipal[];
}

/** The customer's ADLS Gen2 account as the emulators serve it. */
export interface AdlsEmulator {
  /**
   * `https://host:port`, accounts path-style below it (`<endpoint>/<account>`): what a client is
   * pointed at instead of `https://<account>.blob.core.windows.net` (the product's ADLS_ENDPOINT_URL).
   */
  endpoint: string;
  /** `<endpoint>/<accountName>`. */
  blobEndpoint: string;
  accountName: string;
  accountKey: string;
  /** The Entra ID stand-in, `https://host:port`: @azure/identity's `authorityHost`. */
  authorityHost: string;
  /** The self-signed certificate both serve, PEM and file: what their clients must trust. */
  caCert: string;
  caCertFile: string;
}

export interface StorageEmulators {
  azure: { blobEndpoint: string; accountName: string; accountKey: string; connectionString: string };
  s3: { endpoint: string };
  gcs: { endpoint: string };
  sftp: { host: string; port: number };
  /** Absent when not started (no ports configured, or emulators running elsewhere). */
  adls?: AdlsEmulator;
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

/** The PEM file of the certificate the HTTPS emulators serve: what their clients are told to trust. */
export function emulatorCertificateFile(directory: string): string {
  return join(directory, 'tls', 'cert.pem');
}

/** The HTTPS Azurite and the Entra ID stand-in, on one self-signed certificate kept in the data folder. */
async function startAdls(config: StorageEmulatorConfig, started: { close(): Promise<void> }[]): Promise<AdlsEmulator | undefined> {
  if (config.adlsPort === undefined || config.entraPort === undefined) return undefined;
  const certificate = await loadOrCreateCertificate(dirname(emulatorCertificateFile(config.directory)), config.host);
  const entra = await startEntraServer({ host: config.host, port: config.entraPort, cert: certificate.cert, key: certificate.key, principals: config.entraPrincipals ?? [] });
  started.push(entra);
  const azurite = await startAzurite({
    host: config.host,
    port: config.adlsPort,
    directory: join(config.directory, 'azurite-adls'),
    tls: { certFile: certificate.certFile, keyFile: certificate.keyFile },
  });
  started.push(azurite);
  return {
    endpoint: azurite.blobEndpoint.slice(0, -`/${AZURITE_ACCOUNT_NAME}`.length),
    blobEndpoint: azurite.blobEndpoint,
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    authorityHost: entra.authorityHost,
    caCert: certificate.cert,
    caCertFile: certificate.certFile,
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
    const adls = await startAdls(config, started);
    return {
      azure: azureOf(azurite.blobEndpoint),
      s3: { endpoint: s3.endpoint },
      gcs: { endpoint: gcs.endpoint },
      sftp: { host: sftp.host, port: sftp.port },
      ...(adls === undefined ? {} : { adls }),
      close: async () => {
        for (const emulator of started.reverse()) await emulator.close().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const emulator of started.reverse()) await emulator.close().catch(() => undefined);
    throw error;
  }
}
