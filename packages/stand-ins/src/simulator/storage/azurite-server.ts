// Azurite's Blob service (npm `azurite`, Microsoft's Azure Storage emulator) embedded in the
// simulator: the Data Landing Zone containers and the Azure Blob destinations live here. Azurite
// ships no type declarations, so the few parts we use are typed here.
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

interface BlobServerInstance {
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  httpServer?: { address(): AddressInfo | string | null };
}
type BlobConfigurationCtor = new (...args: unknown[]) => object;
type BlobServerCtor = new (configuration: object) => BlobServerInstance;

const { default: BlobConfiguration } = require('azurite/dist/src/blob/BlobConfiguration.js') as { default: BlobConfigurationCtor };
const { default: BlobServer } = require('azurite/dist/src/blob/BlobServer.js') as { default: BlobServerCtor };
const azuriteConstants = require('azurite/dist/src/blob/utils/constants.js') as { EMULATOR_ACCOUNT_NAME: string; EMULATOR_ACCOUNT_KEY_STR: string };

/** Azurite's documented development account (public, the same on every machine). */
export const AZURITE_ACCOUNT_NAME = azuriteConstants.EMULATOR_ACCOUNT_NAME;
export const AZURITE_ACCOUNT_KEY = azuriteConstants.EMULATOR_ACCOUNT_KEY_STR;

export interface AzuriteServer {
  /** `http(s)://host:port/devstoreaccount1` (path-style, as Azurite addresses accounts). */
  blobEndpoint: string;
  close(): Promise<void>;
}

export interface AzuriteOptions {
  host: string;
  port: number;
  directory: string;
  /**
   * Serve HTTPS with this certificate and accept Entra ID bearer tokens (`--oauth basic`: Azurite
   * checks their issuer, audience and lifetime, not their signature). Azurite takes bearer tokens
   * over HTTPS only, as Azure Storage does.
   */
  tls?: { certFile: string; keyFile: string };
}

export async function startAzurite(options: AzuriteOptions): Promise<AzuriteServer> {
  await mkdir(options.directory, { recursive: true });
  const configuration = new BlobConfiguration(
    options.host,
    options.port,
    5000,
    join(options.directory, '__azurite_db_blob__.json'),
    join(options.directory, '__azurite_db_blob_extent__.json'),
    [{ locationId: 'Default', locationPath: join(options.directory, 'blobstorage'), maxConcurrency: 10 }],
    false, // access log
    undefined,
    false, // debug log
    undefined,
    false, // loose: unsupported headers are refused, as Azure does
    true, // skip the API version check: newer SDKs send versions Azurite does not list yet
    ...(options.tls === undefined ? [] : [options.tls.certFile, options.tls.keyFile, '', 'basic']),
  );
  const server = new BlobServer(configuration);
  await server.start();
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    blobEndpoint: `${options.tls === undefined ? 'http' : 'https'}://${options.host}:${port}/${AZURITE_ACCOUNT_NAME}`,
    close: () => server.close(),
  };
}
