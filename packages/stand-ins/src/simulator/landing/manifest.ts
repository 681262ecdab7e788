// The JSON manifest written next to an export's part files. Platform documents that a manifest
// exists but not its name or shape; this is the simulator's choice (see docs/simulator.md).
import type { ExportCompression, ExportFormat } from './landing-path.js';

export type ExportMode = 'FULL' | 'INCREMENTAL';

export interface ManifestFile {
  /** File name inside the export folder. */
  name: string;
  records: number;
  bytes: number;
}

export interface ExportManifest {
  manifestVersion: 1;
  flowId: string;
  flowRunId: string;
  datasetId: string;
  /** Folder relative to the landing root, `/`-separated. */
  folder: string;
  exportTime: string;
  exportMode: ExportMode;
  format: ExportFormat;
  compression: ExportCompression;
  createdAt: string;
  files: ManifestFile[];
  totalRecords: number;
  totalBytes: number;
}

/** `manifest-<flowRunId>.json`: unique per run, so two runs landing in the same minute never clash. */
export function manifestFileName(flowRunId: string): string {
  return `manifest-${flowRunId}.json`;
}
