// Writes one dataset export to its destination through a LandingSink (the destination's own
// protocol): part files of at most ROWS_PER_PART rows each, then the manifest. Each file appears
// whole or not at all (the sink's job); the manifest comes last and marks the export complete.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Field, Row } from '../datasets/fields.js';
import type { LandingSink } from './landing-sink.js';
import { exportFolderRelative, exportTimeLabel, partFileName, type ExportCompression, type ExportFormat } from './landing-path.js';
import { manifestFileName, type ExportManifest, type ExportMode, type ManifestFile } from './manifest.js';
import { encodeNdjson } from './ndjson-part.js';
import { encodeParquet } from './parquet-part.js';

/** Platform writes several files even for small datasets; 1,000 rows per part shows that locally. */
export const ROWS_PER_PART = 1000;

export interface ExportRequest {
  sink: LandingSink;
  /** The target connection's path. */
  targetPath: string;
  datasetId: string;
  flowId: string;
  flowRunId: string;
  exportMode: ExportMode;
  exportTimeMs: number;
  format: ExportFormat;
  compression: ExportCompression;
  fields: Field[];
  rows: readonly Row[];
  rowsPerPart?: number;
}

export interface ExportResult {
  manifest: ExportManifest;
  manifestName: string;
}

function encode(request: ExportRequest, rows: readonly Row[]): Uint8Array {
  return request.format === 'PARQUET' ? encodeParquet(rows, request.fields, request.compression) : encodeNdjson(rows, request.compression);
}

export async function writeExport(request: ExportRequest): Promise<ExportResult> {
  const folder = exportFolderRelative(request.targetPath, request.datasetId, request.exportTimeMs);

  const perPart = Math.max(1, request.rowsPerPart ?? ROWS_PER_PART);
  const naming = {
    taskId: BigInt.asUintN(63, randomBytes(8).readBigUInt64LE()).toString(),
    jobUuid: randomUUID(),
    firstAttempt: 1000 + Math.floor(Math.random() * 9000),
  };
  const files: ManifestFile[] = [];
  for (let start = 0, index = 0; start < request.rows.length; start += perPart, index++) {
    const rows = request.rows.slice(start, start + perPart);
    const name = partFileName(index, naming, request.format, request.compression);
    const bytes = encode(request, rows);
    await request.sink.put(`${folder}/${name}`, bytes);
    files.push({ name, records: rows.length, bytes: bytes.byteLength });
  }

  const manifest: ExportManifest = {
    manifestVersion: 1,
    flowId: request.flowId,
    flowRunId: request.flowRunId,
    datasetId: request.datasetId,
    folder,
    exportTime: exportTimeLabel(request.exportTimeMs),
    exportMode: request.exportMode,
    format: request.format,
    compression: request.compression,
    createdAt: new Date(request.exportTimeMs).toISOString(),
    files,
    totalRecords: files.reduce((sum, f) => sum + f.records, 0),
    totalBytes: files.reduce((sum, f) => sum + f.bytes, 0),
  };
  const manifestName = manifestFileName(request.flowRunId);
  await request.sink.put(`${folder}/${manifestName}`, new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
  return { manifest, manifestName };
}
