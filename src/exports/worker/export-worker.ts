// The BullMQ side of the export job (see src/jobs/delaying-worker.ts for the shared shape).
import type { Worker } from 'bullmq';
import { createDelayingWorker, type DelayingWorkerOptions } from '../../jobs/delaying-worker.js';
import { processExport, type ProcessorDeps } from './process-export.js';

export type ExportWorkerOptions = DelayingWorkerOptions;

export function createExportWorker(deps: ProcessorDeps, options: ExportWorkerOptions): Worker {
  return createDelayingWorker('export.run', deps.log, ({ exportId }, log, progress) => processExport({ ...deps, log }, exportId, progress), options);
}
