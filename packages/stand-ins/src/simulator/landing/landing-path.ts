// Where an export lands: <landingZoneDir>/<target path>/<datasetId>/exportTime=YYYYMMDDHHMM/, the
// Platform's default folder layout, and Spark-style part file names. A target path can never
// leave the landing root.
import { isAbsolute, relative, resolve, sep } from 'node:path';

export class UnsafeLandingPathError extends Error {}

/** Splits a destination path into safe segments; rejects `..`, NUL and drive/backslash tricks. */
export function landingPathSegments(targetPath: string): string[] {
  if (targetPath.includes('\0')) throw new UnsafeLandingPathError('path must not contain NUL');
  const segments = targetPath.split(/[/\\]+/).filter((s) => s !== '' && s !== '.');
  for (const segment of segments) {
    if (segment === '..') throw new UnsafeLandingPathError(`path must not contain "..": ${targetPath}`);
    if (/^[A-Za-z]:$/.test(segment)) throw new UnsafeLandingPathError(`path must be relative: ${targetPath}`);
  }
  return segments;
}

const DATASET_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `exportTime=` label of the Platform's folder layout, in UTC minutes. */
export function exportTimeLabel(atMs: number): string {
  const iso = new Date(atMs).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

/** The export folder relative to the landing root, with `/` separators (as written in manifests). */
export function exportFolderRelative(targetPath: string, datasetId: string, atMs: number): string {
  if (!DATASET_ID.test(datasetId)) throw new UnsafeLandingPathError(`invalid dataset id: ${datasetId}`);
  return [...landingPathSegments(targetPath), datasetId, `exportTime=${exportTimeLabel(atMs)}`].join('/');
}

/** Resolves a folder under the landing root, re-checking containment after resolution. */
export function resolveUnderRoot(root: string, relativeFolder: string): string {
  const absoluteRoot = resolve(root);
  const target = resolve(absoluteRoot, ...landingPathSegments(relativeFolder));
  const rel = relative(absoluteRoot, target);
  if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) {
    throw new UnsafeLandingPathError(`path escapes the landing zone: ${relativeFolder}`);
  }
  return target;
}

export type ExportFormat = 'PARQUET' | 'JSON';
export type ExportCompression = 'GZIP' | 'NONE';

/** Extension per format and compression: `.gz.parquet`, `.parquet`, `.json.gz`, `.json`. */
export function partExtension(format: ExportFormat, compression: ExportCompression): string {
  if (format === 'PARQUET') return compression === 'GZIP' ? '.gz.parquet' : '.parquet';
  return compression === 'GZIP' ? '.json.gz' : '.json';
}

export interface PartNaming {
  /** Spark's per-job "tid" number. */
  taskId: string;
  /** Spark's per-job UUID. */
  jobUuid: string;
  /** First task attempt number; part i uses firstAttempt + i. */
  firstAttempt: number;
}

/** e.g. part-00000-tid-6524556370186283034-31ec6b84-...-1234-1-c000.gz.parquet */
export function partFileName(index: number, naming: PartNaming, format: ExportFormat, compression: ExportCompression): string {
  const part = String(index).padStart(5, '0');
  return `part-${part}-tid-${naming.taskId}-${naming.jobUuid}-${naming.firstAttempt + index}-1-c000${partExtension(format, compression)}`;
}
