// After the pipeline row is committed, hand its id to the queue, but never let Redis decide the
// answer: a failed or hung enqueue still answers the request, and the worker's pipeline sweeper
// enqueues the overdue row by id later.
import type { Logger } from 'pino';
import type { JobProducer } from '../jobs/queue.js';

export const pipelineEnqueueTimeoutMs = 2000;

export async function enqueuePipelineAfterCommit(
  producer: Pick<JobProducer, 'enqueue'>,
  pipelineId: string,
  log: Pick<Logger, 'warn'>,
  timeoutMs = pipelineEnqueueTimeoutMs,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const attempt = producer.enqueue('pipeline.run', { pipelineId });
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([attempt.then(() => 'enqueued' as const), timedOut]);
    if (outcome === 'timeout') {
      attempt.catch(() => undefined);
      log.warn({ pipelineId, timeoutMs }, 'enqueue timed out; the sweeper will pick the pipeline up');
      return false;
    }
    return true;
  } catch (error) {
    log.warn({ pipelineId, err: error }, 'enqueue failed; the sweeper will pick the pipeline up');
    return false;
  } finally {
    clearTimeout(timer);
  }
}
