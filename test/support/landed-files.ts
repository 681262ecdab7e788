// Reads what an export landed, through the store's official SDK (never the emulator's folders):
// the simulator's DLZ container is opened with the SAS its credentials endpoint hands out, exactly
// as a customer (or aepp) would open it.
import { gunzipSync } from 'node:zlib';
import { ContainerClient } from '@azure/storage-blob';
import { parquetReadObjects } from 'hyparquet';
import type { TestSimulator } from './simulator.js';

export interface DlzCredentialsAnswer {
  containerName: string;
  SASToken: string;
  storageAccountName: string;
  SASUri: string;
  expiryDate: string;
}

export async function dlzCredentialsOf(sim: TestSimulator, type: 'dlz_destination' | 'user_drop_zone' = 'dlz_destination'): Promise<DlzCredentialsAnswer> {
  const { 'content-type': _contentType, ...headers } = await sim.headers();
  const response = await fetch(`${sim.url}/data/foundation/connectors/landingzone/credentials?type=${type}`, { headers });
  if (response.status !== 200) throw new Error(`DLZ credentials: ${response.status} ${await response.text()}`);
  return (await response.json()) as DlzCredentialsAnswer;
}

/** The simulator tenancy's DLZ export container, opened with its SAS. */
export async function dlzContainerOf(sim: TestSimulator): Promise<ContainerClient> {
  return new ContainerClient((await dlzCredentialsOf(sim)).SASUri);
}

/** Blob names under a prefix, sorted. */
export async function blobNames(container: ContainerClient, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix })) names.push(blob.name);
  return names.sort();
}

export async function downloadBlob(container: ContainerClient, name: string): Promise<Buffer> {
  return container.getBlobClient(name).downloadToBuffer();
}

const gunzip = (input: Uint8Array): Uint8Array => new Uint8Array(gunzipSync(input));

/** Parquet leaves come back as Date/bigint/null; the stored rows have ISO strings and omit nulls. */
export function normaliseParquetValue(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(normaliseParquetValue);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => [k, normaliseParquetValue(v)] as const)
      .filter(([, v]) => v !== undefined);
    return Object.fromEntries(entries);
  }
  return value;
}

/** The rows of one landed part file (Parquet, gzip Parquet, NDJSON or gzip NDJSON). */
export async function rowsOfPart(name: string, bytes: Buffer): Promise<unknown[]> {
  if (name.endsWith('.parquet')) {
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const objects = await parquetReadObjects({ file, compressors: { GZIP: gunzip } });
    return objects.map((o) => normaliseParquetValue(o));
  }
  const text = name.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}
