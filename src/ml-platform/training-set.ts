// Reads a landed training set (every Parquet part under a folder of the landing zone, the way
// Spark reads an export folder) into rows, and splits rows into train and held-out sets by a hash
// of the user id, so the same user always lands on the same side and AUC is measured on users the
// model never saw (the notebooks scored their own training rows; see the CMLE pitfalls).
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { resolveUnderRoot } from '../simulator/landing/landing-path.js';

export type TrainingRow = Record<string, unknown>;

export class TrainingSetError extends Error {}

export interface LandedTrainingSet {
  rows: TrainingRow[];
  /** Part files read, relative to the landing root, in read order. */
  files: string[];
}

// `.gz.parquet` parts are ordinary Parquet files whose pages use the GZIP codec (see
// src/simulator/landing/parquet-part.ts); hyparquet needs the decompressor passed in.
const compressors = { GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)) };

async function parquetFilesUnder(folder: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true, recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // In-progress parts end in `.inprogress` and are skipped by the suffix test.
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.parquet'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Reads every `.parquet` part under `folder` (relative to the landing root, which it cannot leave). */
export async function readLandedTrainingSet(landingRoot: string, folder: string): Promise<LandedTrainingSet> {
  const absolute = resolveUnderRoot(landingRoot, folder);
  const paths = await parquetFilesUnder(absolute);
  if (paths.length === 0) throw new TrainingSetError(`no Parquet parts under ${folder}`);
  const rows: TrainingRow[] = [];
  for (const path of paths) {
    const objects = await parquetReadObjects({ file: await asyncBufferFromFile(path), compressors });
    rows.push(...objects);
  }
  return { rows, files: paths.map((path) => relative(landingRoot, path).split('\\').join('/')) };
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
