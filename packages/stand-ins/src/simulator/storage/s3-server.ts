// An S3-compatible server (npm `s3rver`) embedded in the simulator: one instance stands for
// Amazon S3, another for Google Cloud Storage's S3-compatible XML API. Requests are signed and
// checked (SigV4, presigned URLs included) against the access keys configured for the emulator.
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

const require = createRequire(import.meta.url);

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance;
interface AwsAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
}

const S3rver = require('s3rver') as S3rverCtor;
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account.js') as { DUMMY_ACCOUNT: AwsAccount };

export interface S3AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface S3Emulator {
  endpoint: string;
  close(): Promise<void>;
}

export async function startS3Emulator(options: { host: string; port: number; directory: string; keys: readonly S3AccessKey[] }): Promise<S3Emulator> {
  await mkdir(options.directory, { recursive: true });
  // s3rver keeps one process-wide key registry; registering a key twice is harmless.
  for (const key of options.keys) DUMMY_ACCOUNT.createKeyPair(key.accessKeyId, key.secretAccessKey);
  const server = new S3rver({ address: options.host, port: options.port, directory: options.directory, silent: true });
  const address = await server.run();
  return { endpoint: `http://${options.host}:${address.port}`, close: () => server.close() };
}
