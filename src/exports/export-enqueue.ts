// After the row is committed, hand its id to the queue, but never let Redis decide the answer: if
// the enqueue fails or hangs, the request still succeeds and the worker's sweeper enqueues the row
// later (it re-enqueues overdue non-terminal exports by id).
import type { Logger } from 'pino';
import type { JobProducer } from '../jobs/queue.js';

export const enqueueTimeoutMs = 2000;

export async function enqueueExportAfterCommit(
  producer: Pick<JobProducer, 'enqueue'>,
  exportId: string,
  log: Pick<Logger, 'warn'>,
  timeoutMs = enqueueTimeoutMs,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const attempt = producer.enqueue('export.run', { exportId });
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([attempt.then(() => 'enqueued' as const), timedOut]);
    if (outcome === 'timeout') {
      // The add may still finish later; its failure must not go unhandled.
      attempt.catch(() => undefined);
      log.warn({ exportId, timeoutMs }, 'enqueue timed out; the sweeper will pick the export up');
      return false;
    }
    return true;
  } catch (error) {
    log.warn({ exportId, err: error }, 'enqueue failed; the sweeper will pick the export up');
    return false;
  } finally {
    clearTimeout(timer);
  }
}
