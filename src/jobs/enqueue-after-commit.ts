// After rows are committed, hand their ids to the queue, but never let Redis decide the answer: if
// the enqueue fails or hangs, the request still succeeds and the worker's sweeper enqueues the
// overdue rows by id later. Shared by exports and pipelines; many ids go in one addBulk.
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
  // The row id under its own name (exportId, pipelineId) on every log line.
  return settleWithin(producer.enqueue(name, payload), { ...payload }, what, log, timeoutMs);
}

/** Many committed rows' ids in one addBulk (a group commit's); the same best effort. */
export async function enqueueManyAfterCommit<N extends JobName>(
  producer: Pick<JobProducer, 'enqueueMany'>,
  name: N,
  payloads: JobPayload<N>[],
  what: string,
  log: Pick<Logger, 'warn'>,
  timeoutMs = enqueueTimeoutMs,
): Promise<boolean> {
  if (payloads.length === 0) return true;
  return settleWithin(producer.enqueueMany(name, payloads), { count: payloads.length }, what, log, timeoutMs);
}

async function settleWithin(attempt: Promise<void>, ids: Record<string, unknown>, what: string, log: Pick<Logger, 'warn'>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
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
