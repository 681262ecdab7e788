// After a row is committed, hand its id to the queue, but never let Redis decide the answer: if the
// enqueue fails or hangs, the request still succeeds and the worker's sweeper enqueues the overdue
// row by id later. Shared by exports and pipelines.
import type { Logger } from 'pino';
import type { JobName, JobPayload } from './catalog.js';
import type { JobProducer } from './queue.js';

export const enqueueTimeoutMs = 2000;

export async function enqueueAfterCommit<N extends JobName>(
  producer: Pick<JobProducer, 'enqueue'>,
  name: N,
  payload: JobPayload<N>,
  /** What the row is, for the log line ("export", "pipeline"). */
  what: string,
  log: Pick<Logger, 'warn'>,
  timeoutMs = enqueueTimeoutMs,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  // The row id under its own name (exportId, pipelineId) on every log line.
  const ids: Record<string, unknown> = { ...payload };
  const attempt = producer.enqueue(name, payload);
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([attempt.then(() => 'enqueued' as const), timedOut]);
    if (outcome === 'timeout') {
      // The add may still finish later; its failure must not go unhandled.
      attempt.catch(() => undefined);
      log.warn({ ...ids, timeoutMs }, `enqueue timed out; the sweeper will pick the ${what} up`);
      return false;
    }
    return true;
  } catch (error) {
    log.warn({ ...ids, err: error }, `enqueue failed; the sweeper will pick the ${what} up`);
    return false;
  } finally {
    clearTimeout(timer);
  }
}
