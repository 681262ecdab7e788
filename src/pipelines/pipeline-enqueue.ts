// A created or resumed pipeline's id to the queue, after its row is committed (best effort; see
// src/jobs/enqueue-after-commit.ts).
import type { Logger } from 'pino';
import { enqueueAfterCommit } from '../jobs/enqueue-after-commit.js';
import type { JobProducer } from '../jobs/queue.js';

export function enqueuePipelineAfterCommit(producer: Pick<JobProducer, 'enqueue'>, pipelineId: string, log: Pick<Logger, 'warn'>, timeoutMs?: number): Promise<boolean> {
  return enqueueAfterCommit(producer, 'pipeline.run', { pipelineId }, 'pipeline', log, timeoutMs);
}
