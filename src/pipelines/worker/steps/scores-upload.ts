// Streams a scores file (the ML job contract's NDJSON, read through the storage adapter) into a
// batch as single-line JSON rows `{"_{tenant}": {"userid", "propensity"}}`, never holding the file
// in memory. Two passes over the stored file: the first checks every line and measures the upload
// exactly, so a bad line fails the step before anything is sent and the upload knows its size;
// the second uploads — one streamed PUT below the large-file threshold, else the large-file flow
// with parts of a fixed size (one part in memory at a time). Re-running the upload after a crash
// replaces the file (PUT by name, or INITIALIZE starting over).
import { scoreHistogram } from '../../score-histogram.js';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parseScoreLine } from '../../../ml-contract/scores-file.js';
import type { PlatformClient } from '../../../platform/client.js';
import type { ObjectStore } from '../../../storage/object-store.js';

export const BATCH_FILE_NAME = 'scores.json';

async function* batchLines(store: ObjectStore, path: string, tenant: string): AsyncGenerator<Buffer> {
  const lines = createInterface({ input: await store.read(path), crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number++;
    const score = parseScoreLine(text, number);
    if (score === null) continue;
    yield Buffer.from(`${JSON.stringify({ [`_${tenant}`]: { userid: score.userId, propensity: score.propensity } })}\n`);
  }
}

/** Pass one: every line checked (ScoresFormatError names the first bad one); rows and bytes counted. */
export async function measureScores(store: ObjectStore, path: string, tenant: string): Promise<{ rows: number; bytes: number; histogram: number[] }> {
  let rows = 0;
  let bytes = 0;
  const propensities: number[] = [];
  for await (const line of batchLines(store, path, tenant)) {
    rows++;
    bytes += line.length;
    const row = JSON.parse(line.toString()) as Record<string, { propensity?: unknown } | undefined>;
    const propensity = row[`_${tenant}`]?.propensity;
    if (typeof propensity === 'number') propensities.push(propensity);
  }
  // The dashboard draws the score histogram and reach curve from these counts (score-histogram.ts).
  return { rows, bytes, histogram: scoreHistogram(propensities) };
}

/** Regroups a byte stream into parts of exactly `size` bytes (the last one shorter). */
export async function* fixedParts(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of source) {
    let rest = chunk;
    while (pendingBytes + rest.length >= size) {
      const take = size - pendingBytes;
      pending.push(rest.subarray(0, take));
      yield Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      rest = rest.subarray(take);
    }
    if (rest.length > 0) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

export interface ScoresUpload {
  platform: PlatformClient;
  store: ObjectStore;
  path: string;
  tenant: string;
  batchId: string;
  datasetId: string;
  /** Measured by measureScores. */
  bytes: number;
  largeFileBytes: number;
  partBytes: number;
}

/** Pass two: uploads the rows as the batch's file; returns how it went up. */
export async function uploadScores(u: ScoresUpload): Promise<{ mode: 'small' | 'large'; parts: number }> {
  if (u.bytes < u.largeFileBytes) {
    // A fresh read of the stored file per attempt: a stream can be sent only once.
    const open = () => Readable.from(batchLines(u.store, u.path, u.tenant));
    await u.platform.uploadSmallFile(u.batchId, u.datasetId, BATCH_FILE_NAME, { open, length: u.bytes });
    return { mode: 'small', parts: 1 };
  }
  await u.platform.initializeLargeFile(u.batchId, u.datasetId, BATCH_FILE_NAME);
  let start = 0;
  let parts = 0;
  for await (const part of fixedParts(batchLines(u.store, u.path, u.tenant), u.partBytes)) {
    await u.platform.uploadLargeFilePart(u.batchId, u.datasetId, BATCH_FILE_NAME, { start, bytes: part, total: u.bytes });
    start += part.length;
    parts++;
  }
  if (start !== u.bytes) throw new Error(`the scores file changed while it was uploaded (${u.bytes} bytes measured, ${start} sent)`);
  await u.platform.completeLargeFile(u.batchId, u.datasetId, BATCH_FILE_NAME);
  return { mode: 'large', parts };
}
