// The durability net under the queue: exports committed while Redis could not take their job,
// jobs lost with a Redis restart, or jobs that exhausted BullMQ's attempts all leave a row whose
// `nextCheckAt` is in the past. The sweeper re-enqueues those rows by id (jobId = row id, so a job
// that still exists absorbs the add). `FOR UPDATE SKIP LOCKED` plus bumping `nextCheckAt` lets
// many worker processes sweep without doing the same rows twice.
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import type { JobProducer } from '../jobs/queue.js';
import { jobCatalog } from '../jobs/catalog.js';
import { releaseFinishedJobs, startSweepLoop, type RunningSweeper } from '../jobs/sweep-loop.js';

export interface SweeperOptions {
  intervalMs: number;
  graceMs: number;
  batchSize?: number;
}

/**
 * Claims overdue exports (non-terminal, cancelled but not cleaned up, or paused with a run that
 * started before the pause still open: the worker watches it to its end) and bumps their check time.
 */
export async function claimOverdueExports(db: Db, graceMs: number, batchSize: number): Promise<string[]> {
  const cutoff = new Date(Date.now() - graceMs);
  const rows = await db.$queryRaw<{ id: string }[]>`
    WITH due AS (
      SELECT id FROM exports
      WHERE (status IN ('queued', 'running', 'waiting_for_platform', 'active') OR (status = 'cancelled' AND step <> 'cancelled')
          OR (status = 'paused' AND step = 'watch_runs' AND schedule IS NOT NULL
              AND EXISTS (SELECT 1 FROM export_runs r WHERE r.export_id = exports.id AND r.state IN ('requested', 'triggering', 'in_progress'))))
        AND next_check_at < ${cutoff}::timestamptz
      ORDER BY next_check_at
      LIMIT ${batchSize}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE exports SET next_check_at = now() FROM due WHERE exports.id = due.id
    RETURNING exports.id::text AS id`;
  return rows.map((r) => r.id);
}

/** One sweep; returns the ids it re-enqueued. */
export async function sweepOnce(db: Db, producer: JobProducer, options: Pick<SweeperOptions, 'graceMs' | 'batchSize'>): Promise<string[]> {
  const ids = await claimOverdueExports(db, options.graceMs, options.batchSize ?? 500);
  if (ids.length === 0) return ids;
  await releaseFinishedJobs(producer.queue(jobCatalog['export.run'].queue), ids);
  await producer.enqueueMany(
    'export.run',
    ids.map((exportId) => ({ exportId })),
  );
  return ids;
}

export function startSweeper(db: Db, producer: JobProducer, options: SweeperOptions, log: Logger): RunningSweeper {
  return startSweepLoop(() => sweepOnce(db, producer, options), options.intervalMs, log, 'exports');
}
