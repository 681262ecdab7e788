// Reads a training set (the Parquet files of an export, fetched through their signed URLs) into
// rows, and splits rows into train and held-out sets by a hash of the user id, so the same user
// always lands on the same side and AUC is measured on users the model never saw (the notebooks
// scored their own training rows; see the CMLE pitfalls).
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { parquetReadObjects } from 'hyparquet';
import type { TrainingFile } from './job-contract.js';
import { downloadSigned } from './storage-http.js';

export type TrainingRow = Record<string, unknown>;

export class TrainingSetError extends Error {}

export interface TrainingSet {
  rows: TrainingRow[];
  /** URIs of the files read, in read order. */
  files: string[];
}

// `.gz.parquet` parts are ordinary Parquet files whose pages use the GZIP codec; hyparquet needs
// the decompressor passed in.
const compressors = { GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)) };

/** Parses one Parquet file's bytes into rows. */
export async function parquetRows(bytes: Buffer): Promise<TrainingRow[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parquetReadObjects({ file, compressors });
}

/** Downloads and reads every training file (in URI order, so runs are deterministic). */
export async function readTrainingFiles(files: readonly TrainingFile[]): Promise<TrainingSet> {
  const ordered = [...files].sort((a, b) => a.uri.localeCompare(b.uri));
  if (ordered.length === 0) throw new TrainingSetError('the job was given no training files');
  const rows: TrainingRow[] = [];
  for (const file of ordered) {
    const bytes = await downloadSigned(file.url, 'training file');
    try {
      rows.push(...(await parquetRows(bytes)));
    } catch (error) {
      throw new TrainingSetError(`training file ${file.uri} is not readable Parquet: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { rows, files: ordered.map((f) => f.uri) };
}

/** A (possibly dotted, e.g. `_cmle.userid`) column of a row. */
export function columnValue(row: TrainingRow, column: string): unknown {
  if (column in row) return row[column];
  let current: unknown = row;
  for (const part of column.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** The columns no row has a value for, so a misspelt feature list fails the run early. */
export function missingColumns(rows: readonly TrainingRow[], columns: readonly string[]): string[] {
  return columns.filter((column) => !rows.some((row) => columnValue(row, column) !== undefined));
}

/** Whether a user belongs to the held-out share: a stable function of the id, uniform over users. */
export function isHeldOut(userId: string, holdoutFraction: number): boolean {
  const bucket = createHash('sha256').update(userId).digest().readUInt32BE(0) / 2 ** 32;
  return bucket < holdoutFraction;
}

export interface TrainTestSplit<Row> {
  train: Row[];
  test: Row[];
}

/** Splits rows by user; rows without an id are keyed by their position (still deterministic). */
export function splitByUser<Row extends TrainingRow>(rows: readonly Row[], idColumn: string, holdoutFraction: number): TrainTestSplit<Row> {
  const split: TrainTestSplit<Row> = { train: [], test: [] };
  rows.forEach((row, index) => {
    const id = columnValue(row, idColumn);
    const key = typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint' ? String(id) : `#row-${index}`;
    (isHeldOut(key, holdoutFraction) ? split.test : split.train).push(row);
  });
  return split;
}
