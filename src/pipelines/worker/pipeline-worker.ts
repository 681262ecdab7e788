// The BullMQ side of the pipeline job (see src/jobs/delaying-worker.ts for the shared shape). A
// callback wakes a waiting job early by promoting it (see pipeline-wake.ts).
import type { Worker } from 'bullmq';
import { createDelayingWorker, type DelayingWorkerOptions } from '../../jobs/delaying-worker.js';
import { processPipeline, type PipelineProcessorDeps } from './process-pipeline.js';

export type PipelineWorkerOptions = DelayingWorkerOptions;

export function createPipelineWorker(deps: PipelineProcessorDeps, options: PipelineWorkerOptions): Worker {
  return createDelayingWorker('pipeline.run', deps.log, ({ pipelineId }, log, progress) => processPipeline({ ...deps, log }, pipelineId, progress), options);
}
